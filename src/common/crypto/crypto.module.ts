import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { type PlaintextObserver, SecretCipher } from './secret-cipher.js';

@Module({})
export class CryptoModule {
  /** `observer`: told every plaintext the cipher handles (the app logger's KnownSecrets). */
  static forRoot(observer: PlaintextObserver | null): DynamicModule {
    return {
      global: true,
      module: CryptoModule,
      providers: [
        {
          provide: SecretCipher,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => new SecretCipher(config.encryptionKey, config.previousEncryptionKeys, observer),
        },
      ],
      exports: [SecretCipher],
    };
  }
}
