import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Level, type Logger as Pino } from 'pino';
import type { AppConfig, LogLevel } from '../../config/config.js';
import { REDACTED } from '../redaction.js';
import { currentRequestContext } from './request-context.js';
import { configSecrets, KnownSecrets, REDACT_PATHS, SecretScrubber } from './secrets.js';

export interface AppLoggerOptions {
  /** LOG_LEVEL, or `trace` to keep everything (tests). */
  level: LogLevel | 'trace';
  /** Values never to be written (see {@link configSecrets}). */
  secrets: string[];
  /** Values met at run time never to be written; a new, empty set by default. */
  knownSecrets?: KnownSecrets;
  /** Where the JSON lines go; stdout (synchronously, so nothing is lost at exit) by default. */
  destination?: DestinationStream;
}

/** A Nest stack trace as Nest passes it to `error()`: a string of `at …` lines. */
const STACK = /^.*\n\s+at .+/s;

/**
 * The process logger (SPEC §7): Nest's LoggerService over pino, JSON lines with the request id.
 * pino redacts known field names; the known secret values (configuration, run time, the request's
 * own) are scrubbed from the serialized line, whatever field or message they hide in.
 */
export class AppLogger implements LoggerService {
  readonly pino: Pino;
  /** Where the app's SecretCipher reports the plaintexts it handles (see createApp). */
  readonly knownSecrets: KnownSecrets;

  constructor(options: AppLoggerOptions) {
    this.knownSecrets = options.knownSecrets ?? new KnownSecrets();
    const scrubber = new SecretScrubber(options.secrets, this.knownSecrets);
    this.pino = pino(
      {
        level: options.level,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: REDACT_PATHS, censor: REDACTED },
        mixin: () => {
          const context = currentRequestContext();
          return context ? { requestId: context.requestId } : {};
        },
        hooks: { streamWrite: (line) => scrubber.scrub(line) },
      },
      options.destination ?? pino.destination({ dest: 1, sync: true }),
    );
  }

  static forConfig(config: AppConfig, destination?: DestinationStream): AppLogger {
    return new AppLogger({ level: config.logLevel, secrets: configSecrets(config), destination });
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest's convention: `(message, ...extra, context?)`, for `error` a stack trace before the context. */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    const last = rest.at(-1);
    if (typeof last === 'string' && !STACK.test(last)) fields.context = rest.pop();
    const texts: string[] = [];
    if (message instanceof Error) fields.err = message;
    else if (message !== null && typeof message === 'object') Object.assign(fields, message);
    else texts.push(String(message));
    for (const part of rest) {
      if (typeof part === 'string' && STACK.test(part)) fields.stack = part;
      else if (typeof part === 'string') texts.push(part);
      else if (part instanceof Error) fields.err = part;
      else if (part !== undefined) Object.assign(fields, typeof part === 'object' && part !== null ? part : { detail: part });
    }
    const msg = typeof fields.msg === 'string' ? [fields.msg, ...texts].join(' ') : texts.join(' ');
    delete fields.msg;
    this.pino[level](fields, msg);
  }
}
