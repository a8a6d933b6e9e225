import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { HttpError, Messages } from '../errors/http-error.js';
import { AccountPrincipal } from './principal.js';
import { digestsEqual, hashToken, presentedToken } from './tokens.js';

/** Which tokens a route accepts. `account`: TokenAccount only; `any`: TokenAccount or TokenInstance. */
export type TokenKind = 'account' | 'any' | 'admin';
export const AUTH_KIND = 'auth:kind';

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.getAllAndOverride<TokenKind>(AUTH_KIND, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<Request>();
    const token = presentedToken(req.headers);

    if (kind === 'admin') {
      // Without ADMIN_TOKEN the admin endpoints do not exist (SPEC §1).
      if (!this.config.adminToken) throw new HttpError(404, Messages.notFound);
      if (!token || !digestsEqual(hashToken(token), hashToken(this.config.adminToken))) {
        throw new HttpError(401, Messages.invalidToken);
      }
      req.principal = { kind: 'admin' };
      return true;
    }

    const principal = token ? await this.resolve(hashToken(token)) : null;
    if (!principal || (kind === 'account' && principal.kind !== 'account')) {
      throw new HttpError(401, Messages.invalidToken);
    }
    req.principal = principal;
    return true;
  }

  /** One indexed look-up over both kinds of token. */
  private async resolve(tokenHash: string): Promise<AccountPrincipal | null> {
    const rows: Array<{ kind: string; account_id: string; instance_id: string | null; instance_name: string | null; token_hash: string }> =
      await this.dataSource.query(
        `SELECT 'account' AS kind, id AS account_id, NULL::uuid AS instance_id, NULL::varchar AS instance_name, token_hash
           FROM accounts WHERE token_hash = $1
         UNION ALL
         SELECT 'instance', account_id, id, name, token_hash FROM instances WHERE token_hash = $1`,
        [tokenHash],
      );
    const row = rows.find((r) => r.kind === 'account') ?? rows[0];
    if (!row || !digestsEqual(row.token_hash, tokenHash)) return null;
    return row.kind === 'account'
      ? { kind: 'account', accountId: row.account_id }
      : { kind: 'instance', accountId: row.account_id, instanceId: row.instance_id!, instanceName: row.instance_name! };
  }
}

/** Requires a token of the given kind (SPEC §2–§3). */
export function RequireToken(kind: TokenKind) {
  return applyDecorators(SetMetadata(AUTH_KIND, kind), UseGuards(AuthGuard));
}
