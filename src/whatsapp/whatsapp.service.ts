import { Injectable, Logger } from '@nestjs/common';
import type { Instance } from '../instances/instance.entity.js';
import { INSTANCE_DELETING, InstanceDeletingEvent, OnInstanceEvent } from '../instances/instance.events.js';
import { MessageStore } from '../messages/message-store.js';
import { BaileysAdapter } from './baileys/baileys.adapter.js';
import { BaileysOwnership } from './baileys/baileys-ownership.js';
import { CloudAdapter } from './cloud/cloud.adapter.js';
import {
  type AcceptedSend, type ConnectOutcome, type MediaSource, type OutgoingMessage, type SentMessage, WhatsAppError, type WhatsAppAdapter,
} from './whatsapp.port.js';

/**
 * What the rest of the server asks of an instance's WhatsApp side (SPEC-MESSAGING §8–§9), whatever
 * its provider: the one place that picks the adapter. Baileys goes through the connection's
 * ownership (one process per instance); the Cloud API is stateless and any process calls it.
 */
@Injectable()
export class WhatsAppService {
  private readonly logger = new Logger('WhatsApp');

  constructor(
    private readonly cloud: CloudAdapter,
    private readonly baileys: BaileysAdapter,
    private readonly ownership: BaileysOwnership,
    private readonly store: MessageStore,
  ) {}

  async connect(instance: Instance, pairingPhone?: string): Promise<ConnectOutcome> {
    if (instance.provider === 'cloud') return this.connectCloud(instance);
    if (instance.status === 'connected') return { status: 'connected', already: true };
    return this.ownership.connect(instance, pairingPhone, () => this.sharedPairing(instance));
  }

  async reconnect(instance: Instance): Promise<ConnectOutcome> {
    if (instance.provider === 'cloud') return this.connectCloud(instance);
    return this.ownership.reconnect(instance);
  }

  /** SPEC-MESSAGING §8 logout. Cloud: the instance stops accepting its webhooks (it is disconnected). */
  async logout(instance: Instance): Promise<void> {
    if (instance.provider === 'baileys') await this.ownership.logout(instance);
    await this.store.pairing(instance, null);
    await this.store.state(instance, 'disconnected', 'logged_out');
  }

  async send(instance: Instance, message: OutgoingMessage): Promise<SentMessage> {
    if (instance.provider === 'cloud') return this.cloud.send(instance, message);
    // Baileys: its socket (here or on the holder's process) is called at once.
    const { sending, ...rest } = message;
    await sending?.();
    return this.ownership.send(instance, rest);
  }

  /**
   * Whether the provider names a send's `tag` in its later status updates (the Cloud API's
   * `biz_opaque_callback_data`): only then can a send whose process died mid-call be settled
   * (SPEC-MESSAGING §9 Idempotency-Key, docs/whatsapp.md).
   */
  reportsTags(instance: Instance): boolean {
    return instance.provider === 'cloud';
  }

  /** A send whose process died, as the provider's status reported it accepted: stored as sent, not sent again. */
  accepted(instance: Instance, message: OutgoingMessage, accepted: AcceptedSend): Promise<SentMessage> {
    if (instance.provider !== 'cloud') return Promise.reject(new Error('only the Cloud API reports accepted sends'));
    return this.cloud.accepted(instance, message, accepted);
  }

  downloadMedia(instance: Instance, source: MediaSource, raw: Record<string, unknown> | null): Promise<{ bytes: Buffer; mimetype: string }> {
    return this.adapterOf(instance).downloadMedia(instance, source, raw);
  }

  /** SPEC §4 / SPEC-MESSAGING §8: deleting an instance logs it out first. */
  @OnInstanceEvent(INSTANCE_DELETING)
  async onInstanceDeleting(event: InstanceDeletingEvent): Promise<void> {
    const { instance } = event;
    if (instance.provider !== 'baileys') return;
    try {
      await this.ownership.logout(instance);
    } catch (err) {
      // WhatsApp unreachable: the session goes with the row all the same; the device stays listed
      // on the phone until the user removes it.
      this.logger.warn(`${instance.name}: logging out before the deletion failed: ${(err as Error).message}`);
    }
  }

  private adapterOf(instance: Instance): WhatsAppAdapter {
    return instance.provider === 'cloud' ? this.cloud : this.baileys;
  }

  private async connectCloud(instance: Instance): Promise<ConnectOutcome> {
    try {
      const outcome = await this.cloud.connect(instance, {});
      await this.store.state(instance, 'connected', 'connected');
      return outcome;
    } catch (err) {
      if (err instanceof WhatsAppError) await this.store.state(instance, 'disconnected', err.code === 'UNREACHABLE' ? 'unreachable' : 'credentials_rejected');
      throw err;
    }
  }

  /** The QR code or pairing code that the process pairing the instance keeps current. */
  private sharedPairing(instance: Instance): ConnectOutcome | null {
    const pairing = this.store.pairingOf(instance);
    if (!pairing) return null;
    return 'qrCode' in pairing ? { status: 'qr_ready', qrCode: pairing.qrCode } : { status: 'pairing_code', pairingCode: pairing.pairingCode };
  }
}
