import { PipeTransform, Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { HttpError, Messages } from '../errors/http-error.js';
import { BodyRejection } from './json-body.js';

/**
 * Validates a route's JSON body against its DTO and reports every problem with the route's own
 * message prefix (`Invalid request body` for instances/accounts, `invalid body` for chatwoot:
 * SPEC §3–§5). Unknown fields are rejected; nothing is coerced (a number sent as a string fails).
 */
export class JsonBodyPipe<T extends object> implements PipeTransform<unknown, T> {
  constructor(
    private readonly dto: Type<T>,
    private readonly prefix: string,
    /** Documented fields the route accepts and ignores: dropped before validation. */
    private readonly ignore: (key: string) => boolean = () => false,
  ) {}

  transform(value: unknown): T {
    if (value instanceof BodyRejection) {
      switch (value.reason) {
        case 'too_large':
          throw new HttpError(413, Messages.tooLarge);
        case 'malformed':
          throw new HttpError(400, `${this.prefix}: malformed JSON`);
        case 'content_type':
          throw new HttpError(400, `${this.prefix}: Content-Type must be application/json`);
      }
    }
    const plain = value === undefined ? {} : value;
    if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
      throw new HttpError(400, `${this.prefix}: body must be a JSON object`);
    }
    const kept = Object.fromEntries(Object.entries(plain).filter(([key]) => !this.ignore(key)));
    // class-transformer recurses into every nested value: a deeply nested body would overflow the
    // stack (a 500). No body of this API nests; past a bound there is nothing to validate.
    if (nestedDeeperThan(kept, MAX_DEPTH)) {
      throw new HttpError(400, `${this.prefix}: body nests deeper than ${MAX_DEPTH} levels`);
    }
    // Keys an Object already has (`__proto__`, `constructor`, `toString`…) are dropped by
    // class-transformer and slip through class-validator's whitelist: no DTO declares one, so they
    // are unknown fields like any other (SPEC §4–§5), reported here.
    const inherited = Object.keys(kept).filter((key) => key in Object.prototype);
    const instance = plainToInstance(this.dto, kept);
    const errors = validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
    });
    if (errors.length > 0 || inherited.length > 0) {
      throw new HttpError(400, `${this.prefix}: ${describe(errors, inherited)}`);
    }
    return instance;
  }
}

/** How deep a body may nest (the body itself is level 1). */
const MAX_DEPTH = 32;

function nestedDeeperThan(value: unknown, levels: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (levels === 0) return true;
  return Object.values(value).some((v) => nestedDeeperThan(v, levels - 1));
}

/** One sentence per field, in the DTO's order; unknown fields last. */
export function describe(errors: ValidationError[], unknownKeys: string[] = []): string {
  const known: string[] = [];
  const unknown: string[] = [];
  for (const e of errors) {
    const constraints = e.constraints ?? {};
    if (constraints.whitelistValidation) unknown.push(`unknown field ${e.property}`);
    else {
      const first = Object.values(constraints)[0];
      if (first) known.push(first);
    }
  }
  return [...known, ...unknown, ...unknownKeys.map((key) => `unknown field ${key}`)].join('; ');
}
