import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { SecretCipher } from './secret-cipher.js';

@Global()
@Module({
  providers: [
    {
      provide: SecretCipher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new SecretCipher(config.encryptionKey, config.previousEncryptionKeys),
    },
  ],
  exports: [SecretCipher],
})
export class CryptoModule {}
