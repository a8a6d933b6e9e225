import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** There is no WhatsApp connection in this server, so an instance stays `disconnected` (SPEC §4). */
export type InstanceStatus = 'disconnected';

@Entity('instances')
export class Instance {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  /** SHA-256 (hex) of the TokenInstance. */
  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  @Column({ type: 'varchar', length: 20, default: 'disconnected' })
  status: InstanceStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
