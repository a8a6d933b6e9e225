import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { Account } from '../accounts/account.entity.js';

/** There is no WhatsApp connection in this server, so an instance stays `disconnected` (SPEC §4). */
export type InstanceStatus = 'disconnected';

@Entity('instances')
@Unique('UQ_instances_account_name', ['accountId', 'name'])
@Unique('UQ_instances_token_hash', ['tokenHash'])
export class Instance {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'FK_instances_account' })
  account?: Account;

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
