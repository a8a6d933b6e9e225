import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HttpMetrics } from '../common/http/access-log.middleware.js';

/** The bridge operations of BRIDGE-API.md, as metric labels. */
export type BridgeOperation = 'create' | 'update' | 'get' | 'list' | 'delete';

/** Seconds; API calls are mostly milliseconds, a chatwoot activation may take up to 60 s (SPEC §5). */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const BRIDGE_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The metrics of SPEC §7, in a registry of this app's own (several apps share a test process).
 * Label values are bounded: route templates, never raw paths; bridge outcomes are a status or a failure kind.
 */
@Injectable()
export class MetricsService implements HttpMetrics, OnApplicationShutdown {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to serve an HTTP request, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  private readonly bridgeCalls = new Counter({
    name: 'bridge_requests_total',
    help: 'Calls to the integration bridge, by operation and outcome (HTTP status, or timeout/unreachable/failed).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly bridgeDuration = new Histogram({
    name: 'bridge_request_duration_seconds',
    help: 'Duration of calls to the integration bridge, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: BRIDGE_BUCKETS,
    registers: [this.registry],
  });

  private readonly tokenLookups = new Counter({
    name: 'auth_token_lookups_total',
    help: 'Account and instance tokens resolved, by source: the principal cache or the database.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  private readonly authCacheLive = new Gauge({
    name: 'auth_cache_live',
    help: '1 while the principal cache answers (token revocations are being heard), else 0.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observeHttp(method: string, route: string, status: string, seconds: number): void {
    const labels = { method, route, status };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /** One bridge call; `method` and `path` (without query) name the operation. */
  observeBridgeCall(method: string, path: string, outcome: string, seconds: number): void {
    const labels = { operation: bridgeOperation(method, path), outcome };
    this.bridgeCalls.inc(labels);
    this.bridgeDuration.observe(labels, seconds);
  }

  countTokenLookup(source: 'cache' | 'database'): void {
    this.tokenLookups.inc({ source });
  }

  setAuthCacheLive(live: boolean): void {
    this.authCacheLive.set(live ? 1 : 0);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  onApplicationShutdown(): void {
    this.registry.clear();
  }
}

/** BRIDGE-API.md's routes: `/v1/integrations` (create, list by external_id) and `/v1/integrations/<id>`. */
function bridgeOperation(method: string, path: string): BridgeOperation | 'other' {
  const collection = /^\/v1\/integrations\/?$/.test(path);
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'DELETE':
      return 'delete';
    case 'GET':
      return collection ? 'list' : 'get';
    default:
      return 'other';
  }
}
