import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { SecretCipher } from '../common/crypto/secret-cipher.js';
import { redact } from '../common/redaction.js';
import type { BridgeIntegration } from './integration.entity.js';
import {
  ChatwootHttpError, ChatwootUnreachableError, describeNetworkError, isChatwootJsonError, showAnswer, unexpectedJson,
} from './chatwoot-errors.js';
import { AddressPolicy } from '../common/http/url-policy.js';

/** Where and as whom a call goes: one integration's credentials. */
export interface ChatwootTarget {
  /** Normalised: http(s), no trailing `/`, no credentials. */
  baseUrl: string;
  accountId: number;
  apiToken: string;
}

/** The fields of Chatwoot's inbox (CONTRACT §2) the bridge uses. */
export interface ChatwootInbox {
  id: number;
  name: string;
  channelType: string;
  webhookUrl: string | null;
  /** The key that signs webhooks (4.13+); shown to administrators only. */
  secret: string | null;
}

export const API_CHANNEL_TYPE = 'Channel::Api';

/** An integration's Chatwoot, its stored token decrypted (throws when the key is gone). */
export function chatwootTargetOf(row: BridgeIntegration, cipher: SecretCipher): ChatwootTarget {
  return { baseUrl: row.chatwootBaseUrl, accountId: row.chatwootAccountId, apiToken: cipher.decrypt(row.chatwootApiTokenEncrypted) };
}

/** Bodies beyond this are not Chatwoot answering its API (an inbox list is a few KiB per inbox). */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

interface RawAnswer {
  status: number;
  text: string;
  contentType: string | undefined;
  bytes: number;
}

/**
 * Chatwoot's Application API (CONTRACT.md) over node:http: one deadline per call, the URL policy at
 * connect time, Node's error codes kept. Never logs headers or bodies.
 */
@Injectable()
export class ChatwootClient implements OnApplicationShutdown {
  private readonly logger = new Logger('Chatwoot');
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly timeoutMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly policy: AddressPolicy,
  ) {
    this.timeoutMs = config.chatwootTimeoutMs;
  }

  /** After the HTTP server has drained: requests in flight kept their Chatwoot calls until then. */
  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Verifies the token and the account too: every auth check of CONTRACT §1 runs on it. */
  async listInboxes(t: ChatwootTarget): Promise<ChatwootInbox[]> {
    const url = this.url(t, '/inboxes');
    const body = await this.call(t, 'GET', url);
    const payload = (body as { payload?: unknown } | null)?.payload;
    if (!Array.isArray(payload)) throw unexpectedJson('GET', url, 'JSON without an inbox list');
    return payload.map((item) => toInbox(item) ?? throwError(unexpectedJson('GET', url, 'an inbox list with an item that is not an inbox')));
  }

  async getInbox(t: ChatwootTarget, inboxId: number, signal?: AbortSignal): Promise<ChatwootInbox> {
    const url = this.url(t, `/inboxes/${inboxId}`);
    const body = await this.call(t, 'GET', url, undefined, signal);
    return toInbox(body) ?? throwError(unexpectedJson('GET', url, 'JSON that is not an inbox'));
  }

  async createApiInbox(t: ChatwootTarget, name: string, webhookUrl: string): Promise<ChatwootInbox> {
    const url = this.url(t, '/inboxes');
    const body = await this.call(t, 'POST', url, { name, channel: { type: 'api', webhook_url: webhookUrl } });
    return toInbox(body) ?? throwError(unexpectedJson('POST', url, 'JSON that is not an inbox'));
  }

  async setInboxWebhookUrl(t: ChatwootTarget, inboxId: number, webhookUrl: string): Promise<ChatwootInbox> {
    const url = this.url(t, `/inboxes/${inboxId}`);
    const body = await this.call(t, 'PATCH', url, { channel: { webhook_url: webhookUrl } });
    return toInbox(body) ?? throwError(unexpectedJson('PATCH', url, 'JSON that is not an inbox'));
  }

  async deleteInbox(t: ChatwootTarget, inboxId: number): Promise<void> {
    await this.call(t, 'DELETE', this.url(t, `/inboxes/${inboxId}`));
  }

  /** A call of the routing (contacts, conversations, messages): JSON, or a multipart upload, in; JSON out. */
  request(t: ChatwootTarget, method: string, path: string, body?: unknown): Promise<unknown> {
    return this.call(t, method, this.url(t, path), body);
  }

  private url(t: ChatwootTarget, path: string): string {
    return `${t.baseUrl}/api/v1/accounts/${t.accountId}${path}`;
  }

  private async call(t: ChatwootTarget, method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const started = Date.now();
    const target = new URL(url);
    const logTarget = `${method} ${target.host}${target.pathname}`;
    try {
      const res = await this.send(t, method, target, body, signal);
      const ms = Date.now() - started;
      // Redacted before anything is cut or shown (SPEC §5).
      const text = redact(res.text, [t.apiToken]);
      if (res.status < 200 || res.status >= 300) {
        this.logger.warn(`${logTarget} -> HTTP ${res.status} in ${ms}ms`);
        const chatwootError = isChatwootJsonError(text) ? text : '';
        throw new ChatwootHttpError(method, url, res.status, showAnswer(text, res.contentType, res.bytes, false), false, chatwootError);
      }
      this.logger.debug(`${logTarget} -> HTTP ${res.status} in ${ms}ms`);
      if (text === '') return null;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ChatwootHttpError(method, url, res.status, showAnswer(text, res.contentType, res.bytes, true), true);
      }
    } catch (err) {
      if (err instanceof ChatwootHttpError) throw err;
      const { code, detail } = describeNetworkError(err, target.hostname, defaultPort(target), this.timeoutMs);
      this.logger.warn(`${logTarget} -> ${code} in ${Date.now() - started}ms`);
      throw new ChatwootUnreachableError(method, url, code, redact(detail, [t.apiToken]));
    }
  }

  private send(t: ChatwootTarget, method: string, target: URL, body?: unknown, signal?: AbortSignal): Promise<RawAnswer> {
    try {
      this.policy.checkLiteral(target.hostname);
    } catch (err) {
      return Promise.reject(err);
    }
    const payload = body === undefined ? undefined : body instanceof MultipartBody ? body.bytes : Buffer.from(JSON.stringify(body), 'utf8');
    const headers: Record<string, string | number> = {
      Accept: 'application/json',
      // Dashes rather than `api_access_token`: Rails reads both as HTTP_API_ACCESS_TOKEN (CONTRACT
      // §1), but nginx drops header names with underscores by default.
      'Api-Access-Token': t.apiToken,
    };
    if (payload) {
      headers['Content-Type'] = body instanceof MultipartBody ? body.contentType : 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const secure = target.protocol === 'https:';
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err: unknown, value?: RawAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value!);
      };
      const req = (secure ? https : http).request(
        target,
        {
          method,
          headers,
          agent: secure ? this.httpsAgent : this.httpAgent,
          ...(signal ? { signal } : {}),
          lookup: this.policy.lookup(),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy();
              finish(new ChatwootHttpError(method, target.toString(), res.statusCode ?? 0, { described: `more than ${MAX_RESPONSE_BYTES} bytes, not Chatwoot's API` }, true));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            finish(null, { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'], bytes: size }),
          );
          res.on('error', (err) => finish(err));
          res.on('aborted', () => finish(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
        },
      );
      // One deadline for connect, headers and body: Chatwoot calls must not eat the caller's budget.
      const timer = setTimeout(() => {
        const err = Object.assign(new Error(`no answer within ${this.timeoutMs}ms`), { code: 'ETIMEDOUT' });
        finish(err);
        req.destroy(err);
      }, this.timeoutMs);
      req.on('error', (err) => finish(err));
      req.end(payload);
    });
  }
}

/** A `multipart/form-data` body: a message with attachments (CONTRACT §5). */
export class MultipartBody {
  readonly contentType: string;
  readonly bytes: Buffer;

  constructor(fields: Record<string, string>, files: Array<{ field: string; fileName: string; contentType: string; data: Buffer }>) {
    const boundary = `----ryze${randomBytes(12).toString('hex')}`;
    const quote = (v: string) => v.replace(/[\r\n"]/g, '_');
    const parts: Buffer[] = [];
    for (const [name, value] of Object.entries(fields)) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`, 'utf8'));
    }
    for (const f of files) {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${quote(f.field)}"; filename="${quote(f.fileName)}"\r\nContent-Type: ${f.contentType}\r\n\r\n`,
          'utf8',
        ),
        f.data,
        Buffer.from('\r\n'),
      );
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    this.bytes = Buffer.concat(parts);
    this.contentType = `multipart/form-data; boundary=${boundary}`;
  }
}

function toInbox(value: unknown): ChatwootInbox | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'number' || typeof v.name !== 'string' || typeof v.channel_type !== 'string') return null;
  return {
    id: v.id,
    name: v.name,
    channelType: v.channel_type,
    webhookUrl: typeof v.webhook_url === 'string' ? v.webhook_url : null,
    secret: typeof v.secret === 'string' && v.secret !== '' ? v.secret : null,
  };
}


function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function throwError(err: Error): never {
  throw err;
}
