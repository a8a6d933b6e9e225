import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import PQueue from 'p-queue';
import { DataSource } from 'typeorm';
import { Instance } from '../instances/instance.entity.js';
import { Fleet } from '../leases/fleet.js';
import { MediaStore } from '../messages/media-store.js';
import { MessageStore } from '../messages/message-store.js';
import { WhatsAppError } from './whatsapp.port.js';
import { WhatsAppService } from './whatsapp.service.js';

/** Downloads at once per process: media calls are long, and the API must keep its connections. */
const CONCURRENCY = 4;
/** Pending media older than this was forgotten (a crash, a failed try) and is fetched again. */
const SWEEP_AFTER_MS = 2 * 60_000;
const SWEEP_EVERY_MS = 60_000;
/** After a day, the provider no longer has it (Meta keeps media ids 7 days, WhatsApp's CDN less). */
const GIVE_UP_AFTER_MS = 24 * 3_600_000;

/**
 * Inbound media bytes (SPEC-MESSAGING §10): downloaded from the provider after the message was
 * stored and acknowledged (never before: Meta's 200 must not wait for media), kept in the database,
 * fetched on demand when the media route is asked first. One download per message at a time.
 */
@Injectable()
export class MediaFetcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MediaFetcher');
  private readonly queue = new PQueue({ concurrency: CONCURRENCY });
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly messages: MessageStore,
    private readonly media: MediaStore,
    private readonly whatsapp: WhatsAppService,
    private readonly dataSource: DataSource,
    private readonly fleet: Fleet,
  ) {}

  onApplicationBootstrap(): void {
    this.messages.onMediaPending((instance, ids) => {
      for (const id of ids) void this.fetch(instance, id).catch(() => undefined);
    });
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.queue.clear();
    await this.queue.onIdle();
  }

  /**
   * Downloads and stores a message's media, or marks it gone (MEDIA_GONE). Resolves once done;
   * rejects with the provider's failure otherwise (UNREACHABLE: a later sweep tries again).
   */
  fetch(instance: Instance, messageId: string): Promise<void> {
    let run = this.inFlight.get(messageId);
    if (!run) {
      run = this.queue.add(() => this.download(instance, messageId)).finally(() => this.inFlight.delete(messageId));
      this.inFlight.set(messageId, run);
    }
    return run;
  }

  private async download(instance: Instance, messageId: string): Promise<void> {
    const rows: Array<{ media_source: Record<string, unknown> | null; raw: Record<string, unknown> | null; media_state: string | null }> =
      await this.dataSource.query(`SELECT "media_source", "raw", "media_state" FROM "messages" WHERE "id" = $1`, [messageId]);
    const row = rows[0];
    if (!row || row.media_state !== 'pending') return;
    try {
      const { bytes, mimetype } = await this.whatsapp.downloadMedia(instance, row.media_source ?? {}, row.raw);
      await this.media.store(messageId, bytes, mimetype);
    } catch (err) {
      if (err instanceof WhatsAppError && err.code === 'MEDIA_GONE') {
        this.logger.warn(`${instance.name}: media of message ${messageId} is gone: ${err.detail}`);
        await this.media.markGone(messageId);
        return;
      }
      this.logger.warn(`${instance.name}: downloading the media of message ${messageId} failed: ${(err as Error).message}`);
      throw err;
    }
  }

  private async sweep(): Promise<void> {
    try {
      // One process of the fleet sweeps: the others would download the same media again.
      if (!(await this.fleet.runsJob('media-sweep'))) return;
      const pending = await this.media.pendingSince(new Date(Date.now() - SWEEP_AFTER_MS), 50);
      for (const p of pending) {
        if (Date.now() - p.createdAt.getTime() > GIVE_UP_AFTER_MS) {
          await this.media.markGone(p.id);
          continue;
        }
        const instance = await this.dataSource.getRepository(Instance).findOneBy({ id: p.instanceId });
        if (instance) void this.fetch(instance, p.id).catch(() => undefined);
      }
    } catch (err) {
      this.logger.warn(`media sweep failed: ${(err as Error).message}`);
    }
  }
}
