import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../ormconfig.js';
import { Account } from './accounts/account.entity.js';
import { AccountsService } from './accounts/accounts.service.js';
import { SecretCipher } from './common/crypto/secret-cipher.js';
import { rotateSecrets } from './database/key-rotation.js';
import { type AppConfig, ConfigError, loadConfig } from './config/config.js';
import { DataDirInUseError, lockDataDir } from './database/data-dir-lock.js';

const USAGE = `usage: npm run cli -- <command>
  migrate                               apply pending migrations
  account:create <name> [--quota <n>]   create an account and print its token
  keys:rotate                           re-encrypt every stored secret under ENCRYPTION_KEY
                                        (older keys in ENCRYPTION_KEYS_PREVIOUS)
`;

/** Command-line entry (SPEC §1, §3, §6). Returns the exit code. */
export async function runCli(argv: string[], config: AppConfig, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'migrate':
      return withDataSource(config, async (ds) => {
        const applied = await ds.runMigrations({ transaction: 'all' });
        out(applied.length === 0 ? 'no pending migrations\n' : applied.map((m) => `applied ${m.name}\n`).join(''));
        return 0;
      });
    case 'account:create': {
      const name = args[0];
      const quotaIndex = args.indexOf('--quota');
      const quotaRaw = quotaIndex >= 0 ? args[quotaIndex + 1] : undefined;
      if (!name || name.startsWith('--') || (quotaIndex >= 0 && !/^\d+$/.test(quotaRaw ?? ''))) {
        out(USAGE);
        return 2;
      }
      return withDataSource(config, async (ds) => {
        const { account, token } = await new AccountsService(ds.getRepository(Account)).create(
          name,
          quotaRaw === undefined ? null : Number(quotaRaw),
        );
        out(`account ${account.id} (${account.name}) created\ntoken: ${token}\n`);
        return 0;
      });
    }
    case 'keys:rotate':
      return withDataSource(config, async (ds) => {
        const cipher = new SecretCipher(config.encryptionKey, config.previousEncryptionKeys);
        const counts = await rotateSecrets(ds, cipher);
        const total = [...counts.values()].reduce((a, b) => a + b, 0);
        out(`re-encrypted ${total} secrets under key ${cipher.currentKeyId}\n`);
        for (const [column, n] of counts) out(`  ${column}: ${n}\n`);
        return 0;
      });
    default:
      out(USAGE);
      return 2;
  }
}

async function withDataSource(config: AppConfig, fn: (ds: DataSource) => Promise<number>): Promise<number> {
  const ds = await new DataSource(buildDataSourceOptions(config)).initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

/** Process entry: validated configuration, then the command; exits with its code. */
export function main(argv: string[] = process.argv.slice(2)): void {
  let config: AppConfig;
  try {
    // The CLI next to a running embedded server would write the same PGlite files (SPEC §7).
    config = loadConfig(process.env, {}, { claimDataDir: lockDataDir });
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError || err instanceof DataDirInUseError ? err.message : String(err)}\n`);
    process.exit(1);
  }
  runCli(argv, config).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
