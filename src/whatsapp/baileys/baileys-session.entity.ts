import { Column, Entity, JoinColumn, ManyToOne, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Instance } from '../../instances/instance.entity.js';

/** A Baileys session's credentials (SPEC-MESSAGING §8), as SecretCipher ciphertext of their JSON. */
@Entity('whatsapp_sessions')
export class WhatsAppSession {
  @PrimaryColumn({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @OneToOne(() => Instance, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'FK_whatsapp_sessions_instance' })
  instance?: Instance;

  @Column({ type: 'text' })
  creds: string;

  /** The device is paired (`creds.account` is set): the session reconnects by itself. */
  @Column({ type: 'boolean', default: false })
  linked: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** One Signal key of a Baileys session (every category of its key store), as SecretCipher ciphertext. */
@Entity('whatsapp_session_keys')
export class WhatsAppSessionKey {
  @PrimaryColumn({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  category: string;

  @PrimaryColumn({ name: 'key_id', type: 'varchar', length: 255 })
  keyId: string;

  @ManyToOne(() => Instance, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'FK_whatsapp_session_keys_instance' })
  instance?: Instance;

  @Column({ type: 'text' })
  value: string;
}
