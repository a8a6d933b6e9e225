import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * Text rules that keep a validated string storable in PostgreSQL as it was validated. Without them
 * a body could pass validation and then fail the INSERT (a 500, after the bridge call for chatwoot).
 */

/** Characters as PostgreSQL counts them in `varchar(n)`: code points, not UTF-16 units. */
function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n += 1;
  return n;
}

/** In code points: class-validator counts `a` + U+FE0F as one, so 100 such pairs would pass and overflow a `varchar(100)`. */
export function CodePointLength(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'codePointLength',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && codePointLength(value) >= min && codePointLength(value) <= max,
      },
    },
    options,
  );
}

/** PostgreSQL text cannot hold U+0000 (the INSERT fails). */
export function NoNulCharacter(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noNulCharacter',
      validator: { validate: (value: unknown) => typeof value !== 'string' || !value.includes('\u0000') },
    },
    options,
  );
}

/** In a `u` regex a surrogate pair is one code point: only an unpaired half is of category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * No lone surrogate (a `\ud800` escape in JSON): such a string cannot be encoded as UTF-8, so it
 * would be stored or sent altered, and URL-encoding it throws.
 */
export function WellFormedText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'wellFormedText', validator: { validate: (value: unknown) => typeof value !== 'string' || !LONE_SURROGATE.test(value) } },
    options,
  );
}

/** SPEC §5: the Chatwoot API token travels in an HTTP header, so only `!` to `~`. */
export const VISIBLE_ASCII = /^[!-~]+$/;
