import { Global, Module } from '@nestjs/common';
import { PrincipalCache } from './principal-cache.js';
import { PrincipalResolver } from './principal-resolver.js';
import { TokenRevocations } from './token-revocations.js';

/** Token resolution for the API's guard (SPEC §2), shared by every API module. */
@Global()
@Module({
  providers: [PrincipalCache, PrincipalResolver, TokenRevocations],
  exports: [PrincipalCache, PrincipalResolver],
})
export class AuthModule {}
