import { Global, Module } from '@nestjs/common';
import { PrincipalLookup } from '../common/auth/principal-lookup.js';
import { PrincipalCache } from './principal-cache.js';
import { PrincipalResolver } from './principal-resolver.js';
import { TokenRevocations } from './token-revocations.js';

/**
 * Token resolution for the API's guard (SPEC §2): the database look-up behind common's
 * PrincipalLookup, the principal cache, and the listener that keeps the cache honest.
 */
@Global()
@Module({
  providers: [PrincipalCache, PrincipalResolver, TokenRevocations, { provide: PrincipalLookup, useExisting: PrincipalResolver }],
  exports: [PrincipalCache, PrincipalLookup],
})
export class AuthModule {}
