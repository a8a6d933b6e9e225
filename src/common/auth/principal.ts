/** Who a request acts as, once its token is resolved (SPEC §2). */
export type Principal =
  | { kind: 'account'; accountId: string }
  | { kind: 'instance'; accountId: string; instanceId: string; instanceName: string }
  /**
   * The callback token of an instance's chatwoot integration (BRIDGE-API `source.token`): valid on
   * that instance's event stream, send and media routes only (SPEC-MESSAGING §11).
   */
  | { kind: 'callback'; accountId: string; instanceId: string; instanceName: string }
  | { kind: 'admin' };

/** Principals that act inside an account (everything but the admin). */
export type AccountPrincipal = Exclude<Principal, { kind: 'admin' }>;

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}
