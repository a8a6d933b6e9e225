import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { returnedRows } from '../database/returned-rows.js';

/** Bytes per stored chunk: a download holds one chunk in memory at a time. */
const CHUNK_BYTES = 512 * 1024;

/** Writes a message's bytes in chunks, inside the caller's transaction. */
export async function writeChunks(m: EntityManager, messageId: string, bytes: Buffer): Promise<void> {
  for (let seq = 0, offset = 0; offset < bytes.length || seq === 0; seq++, offset += CHUNK_BYTES) {
    await m.query(`INSERT INTO "message_media_chunks" ("message_id", "seq", "bytes") VALUES ($1, $2, $3)`, [
      messageId, seq, bytes.subarray(offset, offset + CHUNK_BYTES),
    ]);
  }
}

/** The media bytes of messages (SPEC-MESSAGING §10), in chunks of the `message_media_chunks` table. */
@Injectable()
export class MediaStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores the bytes once (a second store of the same message changes nothing). */
  async store(messageId: string, bytes: Buffer, mimetype: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const claimed: unknown = await m.query(
        `UPDATE "messages"
            SET "media_state" = 'stored',
                "data" = jsonb_set(jsonb_set("data", '{media,size}', to_jsonb($2::bigint)), '{media,mimetype}', to_jsonb($3::text))
          WHERE "id" = $1 AND "media_state" IS DISTINCT FROM 'stored'
        RETURNING "id"`,
        [messageId, bytes.length, mimetype],
      );
      if (returnedRows(claimed).length === 0) return;
      await writeChunks(m, messageId, bytes);
    });
  }

  /** The provider no longer has the bytes: the media route answers 404 from now on. */
  async markGone(messageId: string): Promise<void> {
    await this.dataSource.query(`UPDATE "messages" SET "media_state" = 'gone' WHERE "id" = $1 AND "media_state" = 'pending'`, [messageId]);
  }

  /** The stored bytes, chunk by chunk. */
  async *chunks(messageId: string): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq++) {
      const rows: Array<{ bytes: Buffer | Uint8Array }> = await this.dataSource.query(
        `SELECT "bytes" FROM "message_media_chunks" WHERE "message_id" = $1 AND "seq" = $2`,
        [messageId, seq],
      );
      if (rows.length === 0) return;
      yield Buffer.from(rows[0].bytes);
    }
  }

  /** Messages whose media waits for a download since before `olderThan` (a crash, a failed try). */
  async pendingSince(olderThan: Date, limit: number): Promise<Array<{ id: string; instanceId: string; createdAt: Date }>> {
    const rows: Array<{ id: string; instance_id: string; created_at: Date }> = await this.dataSource.query(
      `SELECT "id", "instance_id", "created_at" FROM "messages" WHERE "media_state" = 'pending' AND "created_at" < $1 ORDER BY "created_at" LIMIT $2`,
      [olderThan, limit],
    );
    return rows.map((r) => ({ id: r.id, instanceId: r.instance_id, createdAt: new Date(r.created_at) }));
  }
}
