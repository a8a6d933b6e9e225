import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { AccountPrincipal } from './principal.js';

/** The principal the auth guard resolved; only on routes behind `RequireToken('account' | 'any')`. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AccountPrincipal => {
    const principal = ctx.switchToHttp().getRequest<Request>().principal;
    if (!principal || principal.kind === 'admin') throw new Error('route has no account principal');
    return principal;
  },
);
