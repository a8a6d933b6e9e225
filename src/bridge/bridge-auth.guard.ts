import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { BridgeError } from './bridge.errors.js';

/** Equal strings, in time that depends on neither (both sides are hashed to 32 bytes first). */
export function constantTimeEquals(a: string, b: string): boolean {
  const x = createHash('sha256').update(a, 'utf8').digest();
  const y = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(x, y);
}

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
