import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { NotificationListener } from '../database/notification-listener.js';
import { EVENTS_CHANNEL, EventLog, type LogPosition, type StoredEvent } from './event-log.js';

/** Events read from the log per query. */
const BATCH = 200;
/** While replaying, the next batch is read only once the reader has taken all but this many. */
const REPLAY_LOW_WATER = 200;
/** SPEC-MESSAGING §10: a live reader this many frames behind is closed (4408). */
export const MAX_UNSENT_FRAMES = 1_000;
/** A missed notification (there should be none) costs at most this delay. */
const SAFETY_POLL_MS = 30_000;

/** Where a subscription's frames go: a WebSocket, in production. */
export interface FrameSink {
  /** Queues one text frame. */
  send(frame: string): void;
  /** Frames queued and not yet handed to the operating system. */
  readonly unsent: number;
  /** Resolves once at most `n` frames are unsent (or the sink is closed). */
  drained(n: number): Promise<void>;
  /** Ends the subscription with a WebSocket close code. */
  close(code: number, reason: string): void;
}

export interface StreamTarget {
  instanceId: string;
  instanceName: string;
}

/**
 * Delivers each instance's events to its readers (SPEC-MESSAGING §10): first the stored ones after
 * `after`, then live ones, with no gap and no duplicate between the two. Every reader keeps its
 * own cursor and reads the log from it whenever the instance has news (a PostgreSQL notification
 * from whichever process appended), so what it sends is always the log's next `seq`: replay and
 * live are one loop, and there is nothing to reconcile between them.
 */
@Injectable()
export class EventStream implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventStream');
  private readonly readers = new Map<string, Set<Reader>>();
  private poll: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly log: EventLog,
    private readonly listener: NotificationListener,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = await this.listener.subscribe(EVENTS_CHANNEL, {
      notified: (payload) => this.wake(payload.slice(0, payload.indexOf(':'))),
      resumed: () => this.wakeAll(),
    });
    this.poll = setInterval(() => this.wakeAll(), SAFETY_POLL_MS);
    this.poll.unref();
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    if (this.poll) clearInterval(this.poll);
    for (const set of this.readers.values()) for (const reader of set) reader.stop(1001, 'server shutting down');
  }

  /** Number of readers, for metrics and tests. */
  get size(): number {
    let n = 0;
    for (const set of this.readers.values()) n += set.size;
    return n;
  }

  /** Where the instance's log stands, for {@link open} and the upgrade's headers. */
  position(instanceId: string): Promise<LogPosition> {
    return this.log.position(instanceId);
  }

  /**
   * Streams the events after `afterSeq` to `sink` until it is closed (null: only the events stored
   * after `position` was read, i.e. live ones). When events after `afterSeq` were pruned, the sink is
   * closed with 4410 at once. `position` was read just before (see {@link position}).
   */
  open(target: StreamTarget, afterSeq: number | null, sink: FrameSink, position: LogPosition): { close(): void } {
    const { lastSeq, prunedThrough } = position;
    if (afterSeq !== null && afterSeq < prunedThrough) {
      sink.close(4410, `events after ${afterSeq} are no longer kept`);
      return { close: () => undefined };
    }
    const instanceData = JSON.stringify({ baseUrl: this.config.publicUrl, instance: target.instanceName });
    const reader = new Reader(this.log, target.instanceId, afterSeq ?? lastSeq, instanceData, sink, (err) => {
      this.logger.warn(`event stream of instance ${target.instanceId} failed: ${err.message}`);
    });
    let set = this.readers.get(target.instanceId);
    if (!set) this.readers.set(target.instanceId, (set = new Set()));
    set.add(reader);
    reader.wake();
    return {
      close: () => {
        reader.stop();
        set.delete(reader);
        if (set.size === 0 && this.readers.get(target.instanceId) === set) this.readers.delete(target.instanceId);
      },
    };
  }

  private wake(instanceId: string): void {
    for (const reader of this.readers.get(instanceId) ?? []) reader.wake();
  }

  private wakeAll(): void {
    for (const set of this.readers.values()) for (const reader of set) reader.wake();
  }
}

/** One reader's cursor over one instance's log. */
class Reader {
  private reading = false;
  private again = false;
  private live = false;
  private stopped = false;

  constructor(
    private readonly log: EventLog,
    private readonly instanceId: string,
    private lastSent: number,
    private readonly instanceData: string,
    private readonly sink: FrameSink,
    private readonly onError: (err: Error) => void,
  ) {}

  wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.run().finally(() => (this.reading = false));
  }

  stop(code?: number, reason?: string): void {
    if (this.stopped) return;
    this.stopped = true;
    if (code) this.sink.close(code, reason ?? '');
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        for (;;) {
          // Replay goes at the reader's pace; live events go out as they come.
          if (!this.live) await this.sink.drained(REPLAY_LOW_WATER);
          if (this.stopped) return;
          const events = await this.log.read(this.instanceId, this.lastSent, BATCH);
          for (const event of events) {
            if (this.stopped) return;
            this.sink.send(this.frame(event));
            this.lastSent = event.seq;
            if (this.live && this.sink.unsent > MAX_UNSENT_FRAMES) return this.stop(4408, 'reader too slow');
          }
          if (events.length < BATCH) break;
        }
        this.live = true;
      } while (this.again && !this.stopped);
    } catch (err) {
      // A database hiccup: the next notification or the safety poll reads again from the cursor.
      this.onError(err as Error);
    }
  }

  private frame(event: StoredEvent): string {
    return `{"event":${JSON.stringify(event.type)},"seq":${event.seq},"data":${event.data},"instanceData":${this.instanceData}}`;
  }
}
