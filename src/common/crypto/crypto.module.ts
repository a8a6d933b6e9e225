import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { SecretCipher } from './secret-cipher.js';
import { StoredKeysCheck } from './stored-keys.check.js';

@Global()
@Module({
  providers: [
    {
      provide: SecretCipher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new SecretCipher(config.encryptionKey, config.previousEncryptionKeys),
    },
    StoredKeysCheck,
  ],
  exports: [SecretCipher],
})
export class CryptoModule {}
