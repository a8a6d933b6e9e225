import { PipeTransform, Type } from '@nestjs/common';
import { HttpError, Messages } from '../errors/http-error.js';
import { BodyRejection } from './json-body.js';
import { validateBody } from './validate-body.js';

/** A route's JSON body against its DTO, every problem reported with the route's own prefix (SPEC §3–§5). */
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
    const kept =
      typeof plain === 'object' && plain !== null && !Array.isArray(plain)
        ? Object.fromEntries(Object.entries(plain).filter(([key]) => !this.ignore(key)))
        : plain;
    const result = validateBody(this.dto, kept);
    if ('problem' in result) throw new HttpError(400, `${this.prefix}: ${result.problem}`);
    return result.value;
  }
}
