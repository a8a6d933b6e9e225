import { QueryFailedError } from 'typeorm';

/** The constraint a unique violation (SQLSTATE 23505) hit, or null for any other error. */
export function uniqueViolation(err: unknown): string | null {
  const driver = err instanceof QueryFailedError ? (err.driverError as Record<string, unknown>) : (err as Record<string, unknown> | null);
  if (!driver || driver.code !== '23505') return null;
  const constraint = driver.constraint;
  if (typeof constraint === 'string') return constraint;
  // PGlite reports the constraint only inside the detail/message text.
  const text = `${String(driver.message ?? '')} ${String(driver.detail ?? '')}`;
  return /"([A-Za-z0-9_]+)"/.exec(text)?.[1] ?? '';
}
