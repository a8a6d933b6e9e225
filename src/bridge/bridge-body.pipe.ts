import type { PipeTransform, Type } from '@nestjs/common';
import { BodyRejection } from '../common/http/json-body.js';
import { validateBody } from '../common/http/validate-body.js';
import { BridgeError } from './bridge.errors.js';

/**
 * A BRIDGE-API body against its DTO: one `invalid_request` (BRIDGE-API §4) naming each broken field
 * by its path. Unknown fields are refused and nothing is coerced: a caller's typo must not pass silently.
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
    const result = validateBody(this.dto, value);
    if ('problem' in result) throw new BridgeError('invalid_request', result.problem);
    return result.value;
  }
}
