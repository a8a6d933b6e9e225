import type { Request } from 'express';
import type { AccountPrincipal } from './principal.js';
import type { PrincipalLookup } from './principal-lookup.js';
import { hashToken } from './tokens.js';

const resolutions = new WeakMap<Request, Promise<AccountPrincipal | null>>();

/**
 * Who the request's token is, looked up once per request: the rate limit needs it before auth
 * (SPEC §2: unknown tokens spend a per-address budget), and the auth guard then reuses the answer.
 */
export function resolveRequestToken(req: Request, lookup: PrincipalLookup, token: string): Promise<AccountPrincipal | null> {
  let resolution = resolutions.get(req);
  if (!resolution) {
    resolution = lookup.resolve(hashToken(token));
    resolutions.set(req, resolution);
  }
  return resolution;
}

const known = new WeakSet<Request>();

/** Set by the rate limit once the request's token is known to be valid (an account, instance, callback or admin token). */
export function markKnownToken(req: Request): void {
  known.add(req);
}

/** Whether the rate limit found the request's token valid; false when it did not look (no token, or not under /api). */
export function presentsKnownToken(req: Request): boolean {
  return known.has(req);
}
