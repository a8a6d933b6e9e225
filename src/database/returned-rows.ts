/**
 * The rows of an `INSERT/UPDATE/DELETE … RETURNING` run with `DataSource.query`: TypeORM's postgres
 * driver answers those with `[rows, affected]`, and a plain array for a SELECT.
 */
export function returnedRows<T = Record<string, unknown>>(result: unknown): T[] {
  if (Array.isArray(result) && Array.isArray(result[0])) return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : [];
}
