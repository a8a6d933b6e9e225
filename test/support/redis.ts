import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis of the rate-limit tests (CI: the local one); tests that need it skip without it. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;

/** A key prefix of its own per test, so that runs never see each other's counters. */
export function uniquePrefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

/** A client of the test Redis, for inspecting and removing a test's keys. */
export class RedisInspector {
  private readonly client = new Redis(TEST_REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });

  constructor(readonly prefix: string) {}

  async keys(): Promise<string[]> {
    await this.connect();
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.client.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000);
      out.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return out.sort();
  }

  async get(key: string): Promise<{ value: string | null; pttl: number }> {
    await this.connect();
    return { value: await this.client.get(key), pttl: await this.client.pttl(key) };
  }

  /** Removes the test's keys and disconnects. */
  async cleanUp(): Promise<void> {
    const keys = await this.keys();
    if (keys.length > 0) await this.client.del(...keys);
    this.client.disconnect();
  }

  private async connect(): Promise<void> {
    if (this.client.status === 'wait') await this.client.connect();
  }
}
