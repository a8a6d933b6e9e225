import { type CanActivate, Injectable, SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { AUTH_KIND, AuthGuard } from '../common/auth/auth.guard.js';
import { HttpError } from '../common/errors/http-error.js';
import { BridgeGateway } from '../bridge-gateway/bridge-gateway.service.js';
import { NOT_CONFIGURED_MESSAGE } from './chatwoot.errors.js';

/** SPEC §5: without the bridge, every chatwoot route answers 503, after auth and before anything else. */
@Injectable()
export class ChatwootEnabledGuard implements CanActivate {
  constructor(private readonly gateway: BridgeGateway) {}

  canActivate(): boolean {
    if (!this.gateway.configured) throw new HttpError(503, NOT_CONFIGURED_MESSAGE);
    return true;
  }
}

/** The order of checks of SPEC §2: auth (401), then module enabled (503); the body pipe follows. */
export function ChatwootRoute() {
  return applyDecorators(SetMetadata(AUTH_KIND, 'any'), UseGuards(AuthGuard, ChatwootEnabledGuard));
}
