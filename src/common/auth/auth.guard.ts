import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { HttpError, Messages } from '../errors/http-error.js';
import { PrincipalLookup } from './principal-lookup.js';
import { resolveRequestToken } from './resolved-token.js';
import { constantTimeEquals, presentedToken } from './tokens.js';

/**
 * Which tokens a route accepts. `account`: TokenAccount only; `any`: TokenAccount or TokenInstance;
 * `messaging`: those, or an integration's callback token for its own instance (SPEC-MESSAGING §11:
 * the event stream, the send and media routes). Anywhere else a callback token is unknown.
 */
export type TokenKind = 'account' | 'any' | 'messaging' | 'admin';
export const AUTH_KIND = 'auth:kind';

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly principals: PrincipalLookup,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.getAllAndOverride<TokenKind>(AUTH_KIND, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<Request>();
    const token = presentedToken(req);

    if (kind === 'admin') {
      // Without ADMIN_TOKEN the admin endpoints do not exist (SPEC §1).
      if (!this.config.adminToken) throw new HttpError(404, Messages.notFound);
      if (!token || !constantTimeEquals(token, this.config.adminToken)) {
        throw new HttpError(401, Messages.invalidToken);
      }
      req.principal = { kind: 'admin' };
      return true;
    }

    const principal = token ? await resolveRequestToken(req, this.principals, token) : null;
    if (!principal || (kind === 'account' && principal.kind !== 'account') || (kind !== 'messaging' && principal.kind === 'callback')) {
      throw new HttpError(401, Messages.invalidToken);
    }
    req.principal = principal;
    return true;
  }
}

/** Requires a token of the given kind (SPEC §2–§3). */
export function RequireToken(kind: TokenKind) {
  return applyDecorators(SetMetadata(AUTH_KIND, kind), UseGuards(AuthGuard));
}
