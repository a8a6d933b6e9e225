import type { DataSource } from 'typeorm';
import type { SecretCipher } from '../common/crypto/secret-cipher.js';
import { SECRET_COLUMNS } from './secret-columns.js';

const BATCH = 200;

/** The registered secret columns whose table exists (a migration may not have run yet). */
async function presentColumns(dataSource: DataSource): Promise<typeof SECRET_COLUMNS> {
  const tables = [...new Set(SECRET_COLUMNS.map((c) => c.table))];
  const rows: Array<{ name: string }> = await dataSource.query(
    `SELECT t AS name FROM unnest($1::text[]) AS t WHERE to_regclass(quote_ident(t)) IS NOT NULL`,
    [tables],
  );
  const present = new Set(rows.map((r) => r.name));
  return SECRET_COLUMNS.filter((c) => present.has(c.table));
}

/**
 * `npm run cli -- keys:rotate` (SPEC §6): re-encrypts every secret not under the current key, in
 * batches, each row only if it still holds the value read, so that a concurrent write is never undone.
 */
export async function rotateSecrets(dataSource: DataSource, cipher: SecretCipher): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { table, id, column, bulk } of await presentColumns(dataSource)) {
    const quiet = { redactFromLogs: !bulk };
    let rotated = 0;
    let lastId = '';
    for (;;) {
      const rows: Array<{ id: string; value: string }> = await dataSource.query(
        `SELECT (${id})::text AS id, "${column}" AS value FROM "${table}"
          WHERE "${column}" IS NOT NULL AND "${column}" NOT LIKE $1 AND (${id})::text > $2
          ORDER BY (${id})::text LIMIT ${BATCH}`,
        [`v1.${cipher.currentKeyId}.%`, lastId],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        const reencrypted = cipher.encrypt(cipher.decrypt(row.value, quiet), quiet);
        await dataSource.query(`UPDATE "${table}" SET "${column}" = $1 WHERE (${id})::text = $2 AND "${column}" = $3`, [
          reencrypted, row.id, row.value,
        ]);
        rotated += 1;
      }
      lastId = rows[rows.length - 1].id;
    }
    counts.set(`${table}.${column}`, rotated);
  }
  return counts;
}

/** Key ids of stored secrets that no configured key has: a wrong ENCRYPTION_KEY, or a previous key dropped too early. */
export async function unknownKeyIds(dataSource: DataSource, knownIds: string[]): Promise<string[]> {
  const unknown = new Set<string>();
  for (const { table, column } of await presentColumns(dataSource)) {
    const rows: Array<{ key_id: string }> = await dataSource.query(
      `SELECT DISTINCT split_part("${column}", '.', 2) AS key_id FROM "${table}" WHERE "${column}" IS NOT NULL`,
    );
    for (const { key_id } of rows) if (!knownIds.includes(key_id)) unknown.add(key_id);
  }
  return [...unknown];
}
