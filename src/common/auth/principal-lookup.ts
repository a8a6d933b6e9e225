import type { AccountPrincipal } from './principal.js';

/** Who an account or instance token is, from its SHA-256 digest (SPEC §2); provided by the auth module. */
export abstract class PrincipalLookup {
  abstract resolve(tokenHash: string): Promise<AccountPrincipal | null>;
}
