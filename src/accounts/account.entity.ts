import { Column, CreateDateColumn, Entity, PrimaryColumn, Unique } from 'typeorm';

@Entity('accounts')
@Unique('UQ_accounts_token_hash', ['tokenHash'])
export class Account {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** SHA-256 (hex) of the TokenAccount; the token itself is never stored (SPEC §2). */
  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  /** null = unlimited. */
  @Column({ name: 'instance_quota', type: 'integer', nullable: true })
  instanceQuota: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
