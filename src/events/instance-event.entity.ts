import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from '../database/bigint.js';
import { Instance } from '../instances/instance.entity.js';

/** One event of an instance's durable log (SPEC-MESSAGING §10): `seq` is 1, 2, 3, … per instance. */
@Entity('instance_events')
@Index('IDX_instance_events_created_at', ['createdAt'])
export class InstanceEvent {
  @PrimaryColumn({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @PrimaryColumn({ type: 'bigint', transformer: BIGINT_AS_NUMBER })
  seq: number;

  @ManyToOne(() => Instance, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'FK_instance_events_instance' })
  instance?: Instance;

  @Column({ type: 'varchar', length: 40 })
  type: string;

  /** The envelope's `data`. */
  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
