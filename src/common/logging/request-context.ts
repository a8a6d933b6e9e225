import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while serving a request can know about it. */
export interface RequestContext {
  requestId: string;
  /** Secret values this request carries (its token, token-like body fields): scrubbed from logs. */
  secrets: string[];
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs the rest of a request's handling (`next`) inside its context (SPEC §2 "Request id"). */
export function runInRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Body fields whose string values are secrets whatever the route (`token`, `chatwootApiToken`, …). */
const SECRET_FIELD = /token|secret|password|api_?key/i;

/**
 * Remembers the secret-looking values of a parsed body in the current request's context, so that
 * a log line of this request never shows them even when some error message echoes them.
 */
export function rememberBodySecrets(body: unknown, depth = 0): void {
  const context = storage.getStore();
  if (!context || depth > 4 || body === null || typeof body !== 'object') return;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string' && SECRET_FIELD.test(key)) context.secrets.push(value);
    else if (typeof value === 'object') rememberBodySecrets(value, depth + 1);
  }
}
