import { Logger } from '@nestjs/common';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';

/** Where the lines go: the app's logger (Nest's, which scrubs secrets), or a test's. */
export interface LineSink {
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Fields never logged (research notes §12): whole frames and stanzas (`node`, `xml`, …: key
 * material, tokens, pairing data), a history-sync notification's media key, and the QR string
 * (it holds the pairing secret).
 */
const DROPPED = new Set([
  'node', 'xml', 'stanza', 'frame', 'attrs', 'payloadNode', 'reasonNode', 'fullErrorNode', 'child', 'content', 'data',
  'msgAttrs', 'histNotification', 'qr', 'message', 'msg', 'uploadResult', 'creds', 'keys',
]);

/**
 * A pino-compatible logger for Baileys, at `warn` whatever the app's level: below it Baileys logs
 * every decrypted frame. Errors are reduced to their name, message and status code (a Boom's
 * `data` can hold the stanza).
 */
export function baileysLogger(sink: LineSink = new Logger('Baileys'), bindings: Record<string, unknown> = {}): ILogger {
  const line = (obj: unknown, msg?: string): string => {
    if (typeof obj === 'string') return msg ? `${obj} ${msg}` : obj;
    const fields = { ...bindings, ...sanitise(obj) };
    const text = msg ?? (obj && typeof obj === 'object' && typeof (obj as { msg?: unknown }).msg === 'string' ? (obj as { msg: string }).msg : '');
    return Object.keys(fields).length > 0 ? `${text} ${JSON.stringify(fields)}` : text;
  };
  return {
    level: 'warn',
    child: (obj) => baileysLogger(sink, { ...bindings, ...sanitise(obj) }),
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (obj, msg) => sink.warn(line(obj, msg)),
    error: (obj, msg) => sink.error(line(obj, msg)),
  };
}

function sanitise(obj: unknown): Record<string, unknown> {
  if (obj instanceof Error) return { err: describe(obj) };
  if (!obj || typeof obj !== 'object') return obj === undefined ? {} : { value: String(obj) };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (DROPPED.has(key)) continue;
    if (value instanceof Error) out[key] = describe(value);
    else if (value instanceof Uint8Array) continue;
    else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[key] = typeof value === 'string' ? value.slice(0, 300) : value;
    // Nested objects (a message key, a list of ids) are summarised rather than walked.
    else if (Array.isArray(value)) out[key] = `[${value.length} items]`;
    else if (typeof value === 'object') out[key] = pickKey(value as Record<string, unknown>);
  }
  return out;
}

function describe(err: Error): Record<string, unknown> {
  const status = (err as { output?: { statusCode?: number } }).output?.statusCode;
  return { name: err.name, message: err.message.slice(0, 300), ...(status ? { statusCode: status } : {}) };
}

/** A message key's identifying fields, or just the object's keys. */
function pickKey(value: Record<string, unknown>): unknown {
  if (typeof value.id === 'string' || typeof value.remoteJid === 'string') {
    return { remoteJid: value.remoteJid, id: value.id, fromMe: value.fromMe, participant: value.participant };
  }
  return `{${Object.keys(value).slice(0, 10).join(',')}}`;
}
