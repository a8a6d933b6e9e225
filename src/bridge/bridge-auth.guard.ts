import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { constantTimeEquals } from '../common/auth/tokens.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { BridgeError } from './bridge.errors.js';

/** BRIDGE-API: every call carries `Authorization: Bearer <BRIDGE_TOKEN>`. */
@Injectable()
export class BridgeAuthGuard implements CanActivate {
  private readonly token: string | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.token = config.bridgeToken;
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization;
    const presented = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    // No configured token never authorises anything (loadConfig requires one, this is a backstop).
    if (!this.token || !presented || !constantTimeEquals(presented, this.token)) {
      throw new BridgeError('unauthorized', 'missing or invalid bearer token');
    }
    return true;
  }
}
