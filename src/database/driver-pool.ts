import type { DataSource } from 'typeorm';

/** The pool TypeORM's postgres driver holds: pg's Pool, or the PGlitePool standing in for it. */
export interface DriverPool {
  query(sql: string, params: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/**
 * The driver's pool (`driver.master`, the one every query runner takes its connections from), for
 * what TypeORM's query runners cannot do (LISTEN) or do at a cost the hot path should not pay.
 */
export function driverPool(dataSource: DataSource): DriverPool {
  const pool = (dataSource.driver as unknown as { master?: DriverPool }).master;
  if (!pool) throw new Error('the database connection is not open');
  return pool;
}
