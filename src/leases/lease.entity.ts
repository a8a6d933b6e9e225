import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Who holds a resource (a Baileys connection) until when; see LeasesService. */
@Entity('leases')
export class Lease {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  resource: string;

  @Column({ type: 'varchar', length: 100 })
  holder: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
