import type { ValueTransformer } from 'typeorm';

/**
 * A `bigint` column read as a JavaScript number: node-postgres returns bigint as a string, PGlite
 * as a number. For counters that stay far below 2^53 (event sequence numbers, byte sizes).
 */
export const BIGINT_AS_NUMBER: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => (value === null || value === undefined ? value : Number(value)),
};
