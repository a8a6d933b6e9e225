import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import {
  DisconnectReason, downloadMediaMessage, generateMessageIDV2, getContentType, normalizeMessageContent,
  type AuthenticationCreds, type BaileysEventMap, type WAMessage,
} from '@whiskeysockets/baileys';
import type { Readable } from 'node:stream';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { Instance, InstanceStatus } from '../../instances/instance.entity.js';
import {
  INBOUND_SINK, WhatsAppError,
  type ConnectOutcome, type InboundSink, type MediaSource, type OutgoingMessage, type Pairing, type ProviderMessage, type SentMessage,
  type WhatsAppAdapter,
} from '../whatsapp.port.js';
import { backoffMs } from '../../common/time.js';
import type { BaileysAuthSession, BaileysSessionStore } from './baileys-auth-store.js';
import { toBaileysSend } from './baileys-content.js';
import { baileysLogger, type LineSink } from './baileys-logger.js';
import { fromRaw, inboundOf, toProviderMessage, type MappingContext } from './baileys-messages.js';
import { BAILEYS_SOCKET_FACTORY, type BaileysSocket, type BaileysSocketFactory } from './baileys-socket.js';

export const BAILEYS_SESSION_STORE = Symbol('BAILEYS_SESSION_STORE');
export const BAILEYS_SCHEDULER = Symbol('BAILEYS_SCHEDULER');

/** Timers, injectable so that tests run the backoff schedule without waiting. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A device is linked once WhatsApp accepted the pairing (`requestPairingCode` alone sets `me`). */
export function isLinked(creds: AuthenticationCreds): boolean {
  return !!creds.account && !!creds.me?.id;
}

const MEDIA_TYPES = new Set(['imageMessage', 'videoMessage', 'ptvMessage', 'audioMessage', 'documentMessage', 'stickerMessage']);
/** Ids remembered per connection (our sends, messages stored at decryption) to skip their upserts. */
const REMEMBERED_IDS = 2_000;

interface Waiter {
  pairingPhone: string | undefined;
  resolve(outcome: ConnectOutcome): void;
  reject(error: Error): void;
  timer: unknown;
}

/** One instance's connection: at most one live socket at a time. */
interface Connection {
  instance: Instance;
  session: BaileysAuthSession;
  sock: BaileysSocket | null;
  /** Bumped for each socket: events of an older socket change nothing. */
  generation: number;
  status: InstanceStatus;
  qr: string | null;
  pairing: { phone: string; code: Promise<string> } | null;
  waiters: Set<Waiter>;
  /** Reconnections since the last `open` (the backoff exponent). */
  attempt: number;
  retry: unknown;
  /** Logout, release or a final failure: nothing reconnects it any more. */
  stopped: boolean;
  ours: Set<string>;
  stored: Set<string>;
  groupSubjects: Map<string, string>;
  /** The sink's calls, in order: messages, then state reports. */
  inbound: Promise<unknown>;
  reports: Promise<unknown>;
}

/**
 * The Baileys side of every `baileys` instance (SPEC-MESSAGING §8–§10): at most one live socket
 * per instance in this process (the database lease that decides which process may hold it is
 * the caller's), sessions in the database, every status change and inbound message reported to
 * the InboundSink.
 */
@Injectable()
export class BaileysAdapter implements WhatsAppAdapter, OnApplicationShutdown {
  readonly provider = 'baileys' as const;
  private readonly connections = new Map<string, Connection>();
  private readonly timers: Scheduler;
  private readonly log: LineSink;

  constructor(
    @Inject(BAILEYS_SOCKET_FACTORY) private readonly sockets: BaileysSocketFactory,
    @Inject(BAILEYS_SESSION_STORE) private readonly sessions: BaileysSessionStore,
    @Inject(INBOUND_SINK) private readonly sink: InboundSink,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'whatsappConnectTimeoutMs' | 'mediaMaxBytes'>,
    @Optional() @Inject(BAILEYS_SCHEDULER) timers?: Scheduler,
    @Optional() log?: Logger,
  ) {
    this.timers = timers ?? realTimers;
    this.log = log ?? new Logger('BaileysAdapter');
  }

  /** SPEC §8 `GET /api/instance/connect`: the QR code, a pairing code, or connected. */
  async connect(instance: Instance, { pairingPhone }: { pairingPhone?: string } = {}): Promise<ConnectOutcome> {
    let conn = this.connections.get(instance.id);
    if (!conn) {
      const saved = await this.sessions.load(instance.id);
      // An unlinked leftover (a pairing code never entered) would log in and get a 401: start afresh.
      const session = saved && isLinked(saved.state.creds) ? saved : this.sessions.create(instance.id);
      conn = this.connections.get(instance.id) ?? this.track(instance, session);
    }
    conn.instance = instance;
    if (conn.status === 'connected' && conn.sock?.ws.isOpen) return { status: 'connected', already: true };
    // A new QR code replaces the old one every ~20 s: calling again returns the current one.
    if (conn.qr && !pairingPhone) return { status: 'qr_ready', qrCode: conn.qr };
    const outcome = this.waitForOutcome(conn, pairingPhone);
    if (!conn.sock) {
      // The caller is waiting: a pending backoff retry starts now.
      this.cancelRetry(conn);
      this.open(conn, 'connecting');
    }
    return outcome;
  }

  /** True while this process keeps a connection (or its retries) for the instance. */
  active(instanceId: string): boolean {
    return this.connections.has(instanceId);
  }

  /**
   * True while the instance's session lives here but not (yet) in the database: being paired, or
   * just linked with its first write still on its way. Its missing row is no logout.
   */
  unsaved(instanceId: string): boolean {
    const conn = this.connections.get(instanceId);
    return !!conn && !conn.session.saved;
  }

  /** SPEC §8 reconnect: a saved session reconnects (without waiting); none → NO_SESSION. */
  async reconnect(instance: Instance): Promise<ConnectOutcome> {
    const conn = this.connections.get(instance.id);
    const session = conn?.session ?? (await this.sessions.load(instance.id));
    if (!session || !isLinked(session.state.creds)) throw new WhatsAppError('NO_SESSION');
    const current = this.connections.get(instance.id) ?? this.track(instance, session);
    current.instance = instance;
    this.cancelRetry(current);
    await this.endSocket(current);
    this.open(current, 'reconnecting');
    return { status: 'connecting' };
  }

  /** At boot: reconnects an instance whose linked session is saved. True when it started one. */
  async resume(instance: Instance): Promise<boolean> {
    if (this.connections.has(instance.id)) return true;
    const session = await this.sessions.load(instance.id);
    if (!session || !isLinked(session.state.creds) || this.connections.has(instance.id)) return this.connections.has(instance.id);
    this.open(this.track(instance, session), 'connecting');
    return true;
  }

  /**
   * Ends the socket WITHOUT logging out, keeping the session (handing the connection to another
   * process). Reports no state: the next holder reports its own. Resolves once the messages that
   * the socket had buffered reached the sink.
   */
  async release(instance: Instance): Promise<void> {
    const conn = this.connections.get(instance.id);
    if (!conn) return;
    this.stop(conn, new WhatsAppError('UNREACHABLE', 'the connection moved to another process'));
    await this.endSocket(conn);
    await conn.inbound;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.connections.values()].map((c) => this.release(c.instance)));
  }

  /** SPEC §8 logout: logs the device out, deletes the saved session. */
  async logout(instance: Instance): Promise<void> {
    const conn = this.connections.get(instance.id);
    const previous = conn?.status ?? instance.status;
    if (conn) {
      this.stop(conn, new WhatsAppError('UNREACHABLE', 'logged out'));
      const sock = conn.sock;
      conn.sock = null;
      if (sock) {
        try {
          // Tells WhatsApp to unlink the device (needs an open socket), then ends it (401).
          await sock.logout();
        } catch (err) {
          this.log.warn(`${instance.name}: logout could not reach WhatsApp (${describe(err)}); the session is deleted anyway`);
          await this.end(sock);
        }
      }
    }
    await this.sessions.delete(instance.id);
    if (previous !== 'disconnected') await this.reportNow(conn ?? null, instance, 'disconnected', 'logged_out');
  }

  async send(instance: Instance, message: OutgoingMessage): Promise<SentMessage> {
    const conn = this.connections.get(instance.id);
    const sock = conn?.sock;
    if (!conn || !sock || conn.status !== 'connected' || !sock.ws.isOpen) throw new WhatsAppError('NOT_CONNECTED');
    const { jid, content, options } = toBaileysSend(message);
    if (message.delaySeconds && message.delaySeconds > 0) {
      // "typing…" is a courtesy: its failure never stops the send.
      await sock.sendPresenceUpdate('composing', jid).catch(() => undefined);
      await new Promise<void>((resolve) => this.timers.setTimeout(resolve, message.delaySeconds! * 1_000));
      await sock.sendPresenceUpdate('paused', jid).catch(() => undefined);
    }
    // Our id, chosen before the send, so that Baileys' echo of it (an `append` upsert) is skipped.
    const messageId = generateMessageIDV2(sock.user?.id);
    remember(conn.ours, messageId);
    let sent: WAMessage | undefined;
    try {
      sent = await sock.sendMessage(jid, content, { ...options, messageId });
    } catch (err) {
      throw sendError(err, sock);
    }
    const mapped = sent ? toProviderMessage(sent, this.context(conn)) : null;
    if (!mapped) throw new WhatsAppError('REJECTED', 'Baileys generated no message', 'the message could not be built');
    return { message: mapped };
  }

  async downloadMedia(instance: Instance, _source: MediaSource, raw: Record<string, unknown> | null): Promise<{ bytes: Buffer; mimetype: string }> {
    if (!raw) throw new WhatsAppError('MEDIA_GONE', 'no stored message');
    const message = fromRaw(raw);
    const content = normalizeMessageContent(message.message);
    const type = getContentType(content);
    const media = type && MEDIA_TYPES.has(type) ? ((content as Record<string, { mimetype?: string | null } | undefined>)[type] ?? null) : null;
    if (!media) throw new WhatsAppError('MEDIA_GONE', 'the message has no media');
    const mimetype = media.mimetype || 'application/octet-stream';
    try {
      return { bytes: await this.fetchMedia(message), mimetype };
    } catch (err) {
      if (err instanceof WhatsAppError) throw err;
      if (!isGone(err)) throw new WhatsAppError('UNREACHABLE', describe(err));
    }
    // Expired on WhatsApp's servers: the phone can upload it again. Baileys 7.0.0-rc14 never calls
    // its own reuploadRequest (upstream #2767), hence this.
    const sock = this.connections.get(instance.id)?.sock;
    if (!sock?.ws.isOpen) throw new WhatsAppError('MEDIA_GONE', 'expired on WhatsApp; the instance must be connected to ask the phone for it');
    try {
      return { bytes: await this.fetchMedia(await sock.updateMediaMessage(message)), mimetype };
    } catch (err) {
      if (err instanceof WhatsAppError) throw err;
      throw new WhatsAppError('MEDIA_GONE', describe(err));
    }
  }

  private async fetchMedia(message: WAMessage): Promise<Buffer> {
    const max = this.config.mediaMaxBytes;
    const stream = (await downloadMediaMessage(message, 'stream', {})) as Readable;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) {
        stream.destroy();
        throw new WhatsAppError('MEDIA_GONE', `larger than the ${max} bytes this server keeps`);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  private track(instance: Instance, session: BaileysAuthSession): Connection {
    const conn: Connection = {
      instance, session, sock: null, generation: 0, status: instance.status, qr: null, pairing: null, waiters: new Set(),
      attempt: 0, retry: null, stopped: false, ours: new Set(), stored: new Set(), groupSubjects: new Map(),
      inbound: Promise.resolve(), reports: Promise.resolve(),
    };
    this.connections.set(instance.id, conn);
    return conn;
  }

  /** A new socket on the connection's session (a socket cannot be reused after it closed). */
  private open(conn: Connection, reason: string): void {
    const generation = ++conn.generation;
    conn.qr = null;
    conn.pairing = null;
    const { creds } = conn.session.state;
    const sock = this.sockets.create({
      auth: conn.session.state,
      logger: baileysLogger(this.log, { instance: conn.instance.name }),
      connectTimeoutMs: this.config.whatsappConnectTimeoutMs,
      onDecrypted: (m) => this.storeDecrypted(conn, m),
      // A recipient's retry request re-sends from Baileys' own cache of recent sends (5 min);
      // older ones would need the message store, which the port does not offer.
      getMessage: async () => undefined,
    });
    conn.sock = sock;
    sock.ev.on('creds.update', (update) => {
      // The socket's own listener has applied it already; a fake socket has not.
      Object.assign(creds, update);
      conn.session.saveCreds().catch((err: unknown) => this.log.error(`${conn.instance.name}: saving the session failed: ${describe(err)}`));
    });
    sock.ev.process((events) => {
      // Baileys does not await this handler: a throw would be an unhandled rejection (a crash).
      try {
        this.onEvents(conn, sock, generation, events);
      } catch (err) {
        this.log.error(`${conn.instance.name}: Baileys event handling failed: ${describe(err)}`);
      }
    });
    this.report(conn, 'connecting', reason);
  }

  private onEvents(conn: Connection, sock: BaileysSocket, generation: number, events: Partial<BaileysEventMap>): void {
    for (const g of events['groups.upsert'] ?? []) if (g.subject) conn.groupSubjects.set(g.id, g.subject);
    for (const g of events['groups.update'] ?? []) if (g.id && g.subject) conn.groupSubjects.set(g.id, g.subject);
    const { messages, statuses } = inboundOf(events, this.context(conn));
    const fresh = messages.filter((m) => !conn.stored.has(m.data.id) && !(m.data.fromMe && conn.ours.has(m.data.id)));
    if (fresh.length > 0) this.deliver(conn, fresh).catch((err: unknown) => this.log.error(`${conn.instance.name}: storing ${fresh.length} received message(s) failed: ${describe(err)}`));
    if (statuses.length > 0) {
      conn.inbound = conn.inbound
        .then(() => this.sink.statuses(conn.instance, statuses))
        .catch((err: unknown) => this.log.error(`${conn.instance.name}: storing statuses failed: ${describe(err)}`));
    }

    const update = events['connection.update'];
    if (!update) return;
    if (update.connection === 'close') {
      // end() destroys the event buffer next, discarding what it holds, which Baileys has already
      // acknowledged (the offline backlog): emit it now, to this very handler.
      sock.ev.flush();
    }
    if (generation !== conn.generation) return;
    if (update.qr) this.onQr(conn, update.qr);
    if (update.connection === 'open') this.onOpen(conn);
    if (update.connection === 'close') this.onClose(conn, update.lastDisconnect?.error);
  }

  /** Before Baileys acknowledges the message (baileys-receive.ts): a failure refuses it. */
  private async storeDecrypted(conn: Connection, message: WAMessage): Promise<void> {
    const mapped = toProviderMessage(message, this.context(conn));
    if (!mapped) return;
    await this.deliver(conn, [mapped]);
    remember(conn.stored, mapped.data.id);
  }

  private deliver(conn: Connection, messages: ProviderMessage[]): Promise<void> {
    const run = conn.inbound.then(() => this.sink.messages(conn.instance, messages));
    conn.inbound = run.catch(() => undefined);
    return run;
  }

  private onQr(conn: Connection, qr: string): void {
    conn.qr = qr;
    this.report(conn, 'qr_ready', 'qr_ready');
    this.share(conn, { qrCode: qr });
    for (const waiter of conn.waiters) {
      if (waiter.pairingPhone) this.pair(conn, waiter);
      else this.settle(conn, waiter, { status: 'qr_ready', qrCode: qr });
    }
  }

  /** Once the socket is up (its first QR code): one pairing code per socket and phone. */
  private pair(conn: Connection, waiter: Waiter): void {
    const sock = conn.sock;
    if (!sock) return;
    const phone = waiter.pairingPhone!.replace(/\D/g, '');
    if (conn.pairing?.phone !== phone) conn.pairing = { phone, code: sock.requestPairingCode(phone) };
    conn.pairing.code.then(
      (code) => {
        this.share(conn, { pairingCode: code });
        this.settle(conn, waiter, { status: 'pairing_code', pairingCode: code });
      },
      (err: unknown) => this.settle(conn, waiter, new WhatsAppError('UNREACHABLE', describe(err))),
    );
  }

  private onOpen(conn: Connection): void {
    conn.attempt = 0;
    if (conn.qr || conn.pairing) this.share(conn, null);
    conn.qr = null;
    conn.pairing = null;
    this.report(conn, 'connected', 'connected');
    for (const waiter of conn.waiters) this.settle(conn, waiter, { status: 'connected', already: false });
  }

  private onClose(conn: Connection, error: Error | undefined): void {
    conn.sock = null;
    if (conn.qr || conn.pairing) this.share(conn, null);
    conn.qr = null;
    conn.pairing = null;
    if (conn.stopped) return;
    const code = (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
    const detail = describe(error ?? 'connection closed');
    switch (code) {
      case DisconnectReason.restartRequired:
        // After a scan (or when WhatsApp asks): a new socket at once, same creds.
        this.reopen(conn, 'restart_required');
        return;
      case DisconnectReason.loggedOut:
        this.loggedOut(conn).catch((err: unknown) => this.log.error(`${conn.instance.name}: after a logout: ${describe(err)}`));
        return;
      case DisconnectReason.connectionReplaced:
      case DisconnectReason.forbidden:
      case DisconnectReason.multideviceMismatch:
        // Another client took the session, or WhatsApp refuses it: fighting would get it banned.
        this.finish(conn, code === DisconnectReason.connectionReplaced ? 'connection_replaced' : code === DisconnectReason.forbidden ? 'forbidden' : 'multidevice_mismatch', detail);
        return;
    }
    if (!isLinked(conn.session.state.creds)) {
      // No device linked (the QR codes ran out, or WhatsApp could not be reached): nothing to keep up.
      this.finish(conn, conn.waiters.size > 0 ? 'unreachable' : 'qr_expired', detail);
      return;
    }
    // SPEC §8: the caller of /connect hears at once; the connection itself retries indefinitely.
    for (const waiter of conn.waiters) this.settle(conn, waiter, new WhatsAppError('UNREACHABLE', detail));
    this.report(conn, 'disconnected', 'connection_lost');
    this.retryLater(conn);
  }

  private retryLater(conn: Connection): void {
    const delay = backoffMs(conn.attempt);
    conn.attempt += 1;
    conn.retry = this.timers.setTimeout(() => {
      conn.retry = null;
      if (!conn.stopped && !conn.sock) this.reopen(conn, 'reconnecting');
    }, delay);
  }

  /** open() where nobody awaits it (a timer, an event): a failure to build the socket retries later. */
  private reopen(conn: Connection, reason: string): void {
    try {
      this.open(conn, reason);
    } catch (err) {
      this.log.error(`${conn.instance.name}: starting a Baileys socket failed: ${describe(err)}`);
      conn.sock = null;
      this.retryLater(conn);
    }
  }

  /** 401: WhatsApp unlinked the device. The session is deleted; a waiting /connect gets a fresh QR. */
  private async loggedOut(conn: Connection): Promise<void> {
    const waiting = conn.waiters.size > 0;
    if (!waiting) this.stop(conn, null);
    this.report(conn, 'disconnected', 'logged_out');
    try {
      await this.sessions.delete(conn.instance.id);
    } catch (err) {
      this.log.error(`${conn.instance.name}: deleting the logged-out session failed: ${describe(err)}`);
    }
    if (waiting && !conn.stopped) {
      conn.session = this.sessions.create(conn.instance.id);
      this.reopen(conn, 'connecting');
    }
  }

  /** A final failure: the instance is disconnected until someone calls connect or reconnect. */
  private finish(conn: Connection, reason: string, detail: string): void {
    this.stop(conn, new WhatsAppError('UNREACHABLE', detail));
    this.report(conn, 'disconnected', reason);
  }

  /** Nothing reconnects the connection any more; waiters get `error`. */
  private stop(conn: Connection, error: WhatsAppError | null): void {
    conn.stopped = true;
    this.cancelRetry(conn);
    if (this.connections.get(conn.instance.id) === conn) this.connections.delete(conn.instance.id);
    for (const waiter of conn.waiters) this.settle(conn, waiter, error ?? new WhatsAppError('UNREACHABLE', 'logged out'));
  }

  private cancelRetry(conn: Connection): void {
    if (conn.retry !== null) this.timers.clearTimeout(conn.retry);
    conn.retry = null;
  }

  /** Ends the current socket (no logout); its close changes nothing (a newer generation or stopped). */
  private async endSocket(conn: Connection): Promise<void> {
    const sock = conn.sock;
    conn.sock = null;
    conn.generation += 1;
    if (sock) await this.end(sock);
  }

  private async end(sock: BaileysSocket): Promise<void> {
    try {
      await sock.end(undefined);
    } catch (err) {
      this.log.warn(`ending a Baileys socket failed: ${describe(err)}`);
    }
  }

  private waitForOutcome(conn: Connection, pairingPhone: string | undefined): Promise<ConnectOutcome> {
    return new Promise<ConnectOutcome>((resolve, reject) => {
      const waiter: Waiter = { pairingPhone, resolve, reject, timer: null };
      const seconds = this.config.whatsappConnectTimeoutMs / 1_000;
      waiter.timer = this.timers.setTimeout(() => {
        this.settle(conn, waiter, new WhatsAppError('UNREACHABLE', `no ${pairingPhone ? 'pairing code' : 'QR code'} within ${seconds} s`));
        // The instance goes back to disconnected (§8), unless a linked session keeps reconnecting.
        if (conn.waiters.size === 0 && !conn.stopped && conn.status !== 'connected' && !isLinked(conn.session.state.creds)) {
          this.finish(conn, 'unreachable', 'timeout');
          void this.endSocket(conn);
        }
      }, this.config.whatsappConnectTimeoutMs);
      conn.waiters.add(waiter);
      if (pairingPhone && conn.qr) this.pair(conn, waiter);
    });
  }

  /**
   * Answers a waiting /connect once the status changes reported so far are stored: a client that
   * reads the instance after the answer sees the status the answer implies.
   */
  private settle(conn: Connection, waiter: Waiter, outcome: ConnectOutcome | Error): void {
    if (!conn.waiters.delete(waiter)) return;
    this.timers.clearTimeout(waiter.timer);
    // After the current task, so that a report made right after settling (a timeout's `disconnected`) counts.
    queueMicrotask(() => void conn.reports.then(() => (outcome instanceof Error ? waiter.reject(outcome) : waiter.resolve(outcome))));
  }

  /** Every status change, in order, to the sink (an `instance.state` event). */
  private report(conn: Connection, status: InstanceStatus, reason: string): void {
    if (conn.status === status) return;
    conn.status = status;
    conn.reports = conn.reports
      .then(() => this.sink.state(conn.instance, status, reason))
      .catch((err: unknown) => this.log.error(`${conn.instance.name}: reporting ${status} failed: ${describe(err)}`));
  }

  /** The current QR or pairing code, for every process's `/connect` (null: pairing ended). */
  private share(conn: Connection, pairing: Pairing | null): void {
    conn.reports = conn.reports
      .then(() => this.sink.pairing(conn.instance, pairing))
      .catch((err: unknown) => this.log.error(`${conn.instance.name}: sharing the pairing code failed: ${describe(err)}`));
  }

  private async reportNow(conn: Connection | null, instance: Instance, status: InstanceStatus, reason: string): Promise<void> {
    if (conn) {
      conn.status = status;
      conn.reports = conn.reports.then(() => this.sink.state(instance, status, reason));
      await conn.reports;
    } else {
      await this.sink.state(instance, status, reason);
    }
  }

  private context(conn: Connection): MappingContext {
    return { meId: conn.session.state.creds.me?.id ?? null, groupSubject: (jid) => conn.groupSubjects.get(jid) ?? null };
  }
}

function remember(set: Set<string>, id: string): void {
  set.add(id);
  if (set.size > REMEMBERED_IDS) set.delete(set.values().next().value as string);
}

function statusOf(err: unknown): number | undefined {
  const e = err as { output?: { statusCode?: number }; status?: number } | null;
  return e?.output?.statusCode ?? e?.status;
}

function isGone(err: unknown): boolean {
  const status = statusOf(err);
  return status === 404 || status === 410;
}

function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** A Boom from sendMessage → the port's error (SPEC §9: 400 not connected, 502 rejected or unreachable). */
function sendError(err: unknown, sock: BaileysSocket): Error {
  const status = statusOf(err);
  const detail = describe(err);
  if (status === DisconnectReason.connectionClosed || status === 401 || !sock.ws.isOpen) return new WhatsAppError('NOT_CONNECTED', detail);
  if (status === 408 || status === 503 || (status === 500 && /upload/i.test(detail))) return new WhatsAppError('UNREACHABLE', detail);
  if (status === 400) return new WhatsAppError('REJECTED', detail, 'the message content is invalid');
  if (status !== undefined) return new WhatsAppError('REJECTED', detail, detail);
  return err instanceof Error ? err : new Error(detail);
}
