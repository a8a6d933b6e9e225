import type { PipeTransform, Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { BodyRejection } from '../common/http/json-body.js';
import { BridgeError } from './bridge.errors.js';

/**
 * Validates a BRIDGE-API body against its DTO: every rule broken becomes one `invalid_request`
 * (BRIDGE-API §4) naming the field by its path (`chatwoot.account_id …`). Unknown fields are
 * refused and nothing is coerced: the caller is a program, and a typo must not pass silently.
 */
export class BridgeBodyPipe<T extends object> implements PipeTransform<unknown, T> {
  constructor(private readonly dto: Type<T>) {}

  transform(value: unknown): T {
    if (value instanceof BodyRejection) {
      switch (value.reason) {
        case 'too_large':
          throw new BridgeError('invalid_request', 'request body too large');
        case 'malformed':
          throw new BridgeError('invalid_request', 'malformed JSON');
        case 'content_type':
          throw new BridgeError('invalid_request', 'Content-Type must be application/json');
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new BridgeError('invalid_request', 'body must be a JSON object');
    }
    const instance = plainToInstance(this.dto, value);
    const errors = validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
    });
    if (errors.length > 0) throw new BridgeError('invalid_request', describeErrors(errors).join('; '));
    return instance;
  }
}

/** One sentence per broken field, named by its path; unknown fields last. */
export function describeErrors(errors: ValidationError[], parent = ''): string[] {
  const known: string[] = [];
  const unknown: string[] = [];
  for (const e of errors) {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const constraints = e.constraints ?? {};
    if (constraints.whitelistValidation) {
      unknown.push(`unknown field ${path}`);
      continue;
    }
    const first = Object.values(constraints)[0];
    // Messages start with the bare property name ($property); the path replaces it.
    if (first) known.push(parent ? `${parent}.${first}` : first);
    known.push(...describeErrors(e.children ?? [], path));
  }
  return [...known, ...unknown];
}
