import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { AddressPolicy } from '../common/http/url-policy.js';
import { AppConfig } from './config.js';

/** Injection token of the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** The address policy of tenant URLs (SPEC §1), one for the process; warns once about the deprecated alias. */
function addressPolicyOf(config: AppConfig): AddressPolicy {
  if (config.chatwootAllowPrivateUrlsDeprecated) {
    new Logger('Config').warn(
      config.chatwootAllowedHosts.allPrivate
        ? 'CHATWOOT_ALLOW_PRIVATE_URLS is deprecated: =true lets every tenant URL reach private and loopback addresses; list your self-hosted Chatwoot in CHATWOOT_ALLOWED_HOSTS instead'
        : 'CHATWOOT_ALLOW_PRIVATE_URLS is deprecated: =false is the default now; remove it',
    );
  }
  return new AddressPolicy(config.chatwootAllowedHosts);
}

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: AddressPolicy, useFactory: () => addressPolicyOf(config) },
      ],
      exports: [APP_CONFIG, AddressPolicy],
    };
  }
}
