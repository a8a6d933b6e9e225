import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { unknownKeyIds } from './key-rotation.js';

/** SPEC §6: "a wrong or missing key is a clear boot … error, never garbage". */
@Injectable()
export class StoredKeysCheck implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const known = [this.config.encryptionKey.id, ...this.config.previousEncryptionKeys.map((k) => k.id)];
    const unknown = await unknownKeyIds(this.dataSource, known);
    if (unknown.length > 0) {
      throw new Error(
        `stored secrets are encrypted with key id(s) ${unknown.join(', ')}, which neither ENCRYPTION_KEY (${known[0]}) ` +
          'nor ENCRYPTION_KEYS_PREVIOUS provides: set the key they were written with (as ENCRYPTION_KEY, or in ' +
          'ENCRYPTION_KEYS_PREVIOUS and run `npm run cli -- keys:rotate`)',
      );
    }
  }
}
