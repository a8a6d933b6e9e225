import type { LoggerService } from '@nestjs/common';

/** Keeps every log line of a test app, so that tests can assert on warnings and scan for secrets. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];

  private record(level: string, message: unknown, rest: unknown[]): void {
    const text = [message, ...rest].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
    this.lines.push(`${level} ${text}`);
    if (process.env.TEST_LOGS) process.stderr.write(`${level} ${text}\n`);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.record('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.record('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.record('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.record('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.record('verbose', message, rest);
  }

  text(): string {
    return this.lines.join('\n');
  }
}
