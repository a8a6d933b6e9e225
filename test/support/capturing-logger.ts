import { AppLogger } from '../../src/common/logging/app-logger.js';
import { configSecrets } from '../../src/common/logging/secrets.js';
import type { AppConfig } from '../../src/config/config.js';

/**
 * The production logger (pino JSON lines, redaction, request ids) writing into memory at every
 * level, so that tests assert on what production would write and scan it for secrets.
 */
export class CapturingLogger extends AppLogger {
  readonly lines: string[];

  constructor(config?: AppConfig) {
    const lines: string[] = [];
    super({
      level: 'trace',
      secrets: config ? configSecrets(config) : [],
      destination: {
        write(line: string) {
          for (const one of line.split('\n')) if (one !== '') lines.push(one);
          if (process.env.TEST_LOGS) process.stderr.write(line);
        },
      },
    });
    this.lines = lines;
  }

  /** Every line, parsed. */
  entries(): Array<Record<string, any>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, any>);
  }

  text(): string {
    return this.lines.join('\n');
  }
}
