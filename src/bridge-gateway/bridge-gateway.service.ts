import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Dispatcher } from 'undici';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { redact } from '../common/redaction.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { BridgeGatewayError, type GatewayFailure } from './bridge-gateway.errors.js';
import { type IntegrationObject, Deadline, isIntegrationObject, type ProvisionRequest } from './bridge-gateway.types.js';
import { classifyBridgeAnswer } from './classify.js';
import { BRIDGE_DISPATCHER } from './dispatcher.js';

interface Answer {
  status: number;
  body: string;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT',
]);

/** The connection closed before the answer was complete (undici's `other side closed`, a reset). */
const DROPPED_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * The only code that speaks HTTP to the bridge (BRIDGE-API.md): every outcome becomes a typed result
 * or a {@link BridgeGatewayError}. Never logs bodies or headers (they carry the Chatwoot token and BRIDGE_TOKEN).
 */
@Injectable()
export class BridgeGateway {
  private readonly logger = new Logger('BridgeGateway');
  private readonly origin: string;
  private readonly basePath: string;
  private readonly headers: Record<string, string>;
  private readonly jsonHeaders: Record<string, string>;

  constructor(
    @Inject(BRIDGE_DISPATCHER) private readonly dispatcher: Dispatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    const url = config.bridgeUrl ? new URL(config.bridgeUrl) : null;
    this.origin = url?.origin ?? 'http://bridge.invalid';
    this.basePath = url ? url.pathname.replace(/\/+$/, '') : '';
    this.headers = { authorization: `Bearer ${config.bridgeToken ?? ''}`, accept: 'application/json' };
    this.jsonHeaders = { ...this.headers, 'content-type': 'application/json' };
  }

  /** SPEC §1: the chatwoot module works only with both BRIDGE_URL and BRIDGE_TOKEN. */
  get configured(): boolean {
    return !!this.config.bridgeUrl && !!this.config.bridgeToken;
  }

  /**
   * Create, idempotent on `external_id` (BRIDGE-API §2), so it alone is retried: once, when the
   * bridge could not be reached or dropped the connection, and only within the deadline.
   */
  async create(request: ProvisionRequest, deadline: Deadline): Promise<{ integration: IntegrationObject; created: boolean }> {
    const secrets = [request.chatwoot.api_token, request.source.token];
    let answer: Answer;
    try {
      answer = await this.call('POST', '/v1/integrations', deadline.remainingMs, { body: request, secrets });
    } catch (err) {
      const retriable = err instanceof BridgeGatewayError && (err.failure.kind === 'unreachable' || err.dropped);
      if (!retriable || deadline.remainingMs < 1_000) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
      answer = await this.call('POST', '/v1/integrations', deadline.remainingMs, { body: request, secrets });
    }
    if (answer.status !== 200 && answer.status !== 201) throw this.failure(answer, secrets);
    return { integration: this.integration(answer, secrets), created: answer.status === 201 };
  }

  /** Replace; null on the bridge's structured 404 `not_found` (a proxy's 404 page is a failure, as for delete). */
  async update(id: string, request: ProvisionRequest, deadline: Deadline): Promise<IntegrationObject | null> {
    const secrets = [request.chatwoot.api_token, request.source.token];
    const answer = await this.call('PUT', `/v1/integrations/${encodeURIComponent(id)}`, deadline.remainingMs, { body: request, secrets });
    if (answer.status === 404 && this.errorCode(answer) === 'not_found') return null;
    if (answer.status !== 200) throw this.failure(answer, secrets);
    return this.integration(answer, secrets);
  }

  /** Live state; null when the bridge does not know the integration (404). */
  async get(id: string): Promise<IntegrationObject | null> {
    const answer = await this.call('GET', `/v1/integrations/${encodeURIComponent(id)}`, this.config.bridgeTimeouts.getMs);
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw this.bodylessFailure(answer);
    return this.integration(answer, []);
  }

  async findByExternalId(externalId: string): Promise<IntegrationObject[]> {
    const answer = await this.call('GET', `/v1/integrations?external_id=${encodeURIComponent(externalId)}`, this.config.bridgeTimeouts.getMs);
    if (answer.status !== 200) throw this.bodylessFailure(answer);
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      throw new BridgeGatewayError({ kind: 'failed', detail: 'unexpected non-JSON body' });
    }
    const list = (parsed as { integrations?: unknown } | null)?.integrations;
    if (!Array.isArray(list) || !list.every(isIntegrationObject)) {
      throw new BridgeGatewayError({ kind: 'failed', detail: 'unexpected body: not an integration list' });
    }
    return list;
  }

  /**
   * `deleted`, or `not_found` when the bridge no longer knows it (callers treat it as done). Only the
   * bridge's own answers confirm (BRIDGE-API §2 `204`, §4 structured `not_found`): a page from a
   * proxy in front of it is a failure, so that the deletion is queued and retried.
   */
  async delete(id: string, deleteInbox: boolean): Promise<'deleted' | 'not_found'> {
    const query = deleteInbox ? '?delete_inbox=true' : '';
    const answer = await this.call('DELETE', `/v1/integrations/${encodeURIComponent(id)}${query}`, this.config.bridgeTimeouts.deleteMs);
    if (answer.status === 404 && this.errorCode(answer) === 'not_found') return 'not_found';
    if (answer.status === 204 || (answer.status === 200 && this.isEmptyOrJson(answer))) return 'deleted';
    throw this.bodylessFailure(answer);
  }

  private async call(
    method: Dispatcher.HttpMethod,
    path: string,
    timeoutMs: number,
    opts: { body?: unknown; secrets?: Array<string | undefined> } = {},
  ): Promise<Answer> {
    if (!this.configured) throw new BridgeGatewayError({ kind: 'failed', detail: 'bridge not configured' });
    const started = performance.now();
    const pathOnly = path.split('?')[0];
    if (timeoutMs <= 0) throw new BridgeGatewayError({ kind: 'timeout', detail: `${method} ${pathOnly}: no time left` });
    // One deadline for the whole exchange, body included.
    const deadline = new AbortController();
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      deadline.abort();
    }, timeoutMs);
    try {
      const res = await this.dispatcher.request({
        origin: this.origin,
        path: `${this.basePath}${path}`,
        method,
        headers: opts.body === undefined ? this.headers : this.jsonHeaders,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: deadline.signal,
      });
      const body = await res.body.text();
      this.logCall(method, pathOnly, String(res.statusCode), started);
      return { status: res.statusCode, body };
    } catch (err) {
      const failure = this.networkFailure(err, expired, method, pathOnly, timeoutMs, opts.secrets ?? []);
      this.logCall(method, pathOnly, failure.kind, started);
      throw new BridgeGatewayError(failure, DROPPED_CODES.has(errorCode(err) ?? ''));
    } finally {
      clearTimeout(timer);
    }
  }

  private networkFailure(
    err: unknown,
    timedOut: boolean,
    method: string,
    path: string,
    timeoutMs: number,
    secrets: Array<string | undefined>,
  ): GatewayFailure {
    if (timedOut) {
      return { kind: 'timeout', detail: `${method} ${path}: no answer within ${timeoutMs} ms` };
    }
    const code = errorCode(err);
    const detail = redact(`${method} ${this.config.bridgeUrl}${path}: ${errorMessage(err) || code || 'network error'}`, [
      ...secrets,
      this.config.bridgeToken,
    ]);
    if (code && UNREACHABLE_CODES.has(code)) return { kind: 'unreachable', detail };
    return { kind: 'failed', detail };
  }

  private failure(answer: Answer, secrets: Array<string | undefined>): BridgeGatewayError {
    const failure = classifyBridgeAnswer(answer.status, answer.body);
    return new BridgeGatewayError({ ...failure, detail: redact(failure.detail, [...secrets, this.config.bridgeToken]) });
  }

  /** For calls whose Chatwoot token this process may not hold in clear: the bridge's text is dropped, not redacted. */
  private bodylessFailure(answer: Answer): BridgeGatewayError {
    const failure = classifyBridgeAnswer(answer.status, answer.body);
    const code = this.errorCode(answer);
    const shown = code !== null && /^[a-z_]{1,40}$/.test(code) ? ` ${code}` : '';
    return new BridgeGatewayError({ ...failure, detail: `HTTP ${answer.status}${shown}` });
  }

  private errorCode(answer: Answer): string | null {
    try {
      const code = (JSON.parse(answer.body) as { error?: { code?: unknown } } | null)?.error?.code;
      return typeof code === 'string' ? code : null;
    } catch {
      return null;
    }
  }

  private isEmptyOrJson(answer: Answer): boolean {
    if (answer.body.trim() === '') return true;
    try {
      JSON.parse(answer.body);
      return true;
    } catch {
      return false;
    }
  }

  private integration(answer: Answer, secrets: Array<string | undefined>): IntegrationObject {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      throw new BridgeGatewayError({ kind: 'failed', detail: `unexpected non-JSON body with HTTP ${answer.status}` });
    }
    if (!isIntegrationObject(parsed)) {
      throw new BridgeGatewayError({
        kind: 'failed',
        detail: `unexpected body with HTTP ${answer.status}: ${redact(answer.body, [...secrets, this.config.bridgeToken]).slice(0, 200)}`,
      });
    }
    return { ...parsed, last_error: parsed.last_error ?? '', inbox_name: parsed.inbox_name ?? '' };
  }

  private logCall(method: string, path: string, outcome: string, started: number): void {
    const elapsedMs = performance.now() - started;
    this.metrics.observeBridgeCall(method, path, outcome, elapsedMs / 1000);
    const line = `${method} ${path} -> ${outcome} in ${Math.round(elapsedMs)} ms`;
    if (method === 'GET') this.logger.debug(line);
    else this.logger.log(line);
  }
}

function errorCode(err: unknown): string | undefined {
  const { code, cause } = (err ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  if (typeof code === 'string') return code;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** Duck-typed (Node's errors may come from another realm); a refused connect to every address is an AggregateError with an empty message. */
function errorMessage(err: unknown): string {
  const { message, errors } = (err ?? {}) as { message?: unknown; errors?: unknown };
  if (typeof message === 'string' && message) return message;
  return Array.isArray(errors) ? errors.map(errorMessage).filter(Boolean).join('; ') : '';
}
