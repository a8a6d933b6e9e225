import { DataSource } from 'typeorm';
import { Fleet, shareOf } from '../../src/leases/fleet.js';
import { LeasesService } from '../../src/leases/leases.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('fair shares (issue "running on many machines")', () => {
  it('a member takes up to ⌈total/N⌉ and gives back above ⌈1.2 × total/N⌉', () => {
    expect(shareOf(200, 3)).toEqual({ target: 67, cap: 80 });
    expect(shareOf(200, 1)).toEqual({ target: 200, cap: 240 });
    expect(shareOf(5, 3)).toEqual({ target: 2, cap: 2 });
    expect(shareOf(0, 2)).toEqual({ target: 0, cap: 0 });
    // Every resource finds a member: N members at their target hold at least the total.
    for (let total = 0; total <= 50; total += 1) for (let n = 1; n <= 7; n += 1) expect(n * shareOf(total, n).target).toBeGreaterThanOrEqual(total);
  });
});

/** Several processes on one database, each a LeasesService and a Fleet of its own (a holder each). */
describe('the fleet on one database', () => {
  let t: TestApp;
  let processes: Fleet[];

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    const ds = t.app.get(DataSource);
    await ds.query(`DELETE FROM "leases" WHERE "resource" LIKE 'member:test%' OR "resource" LIKE 'job:test%'`);
    processes = [0, 1, 2].map(() => new Fleet(new LeasesService(ds), ds));
  });

  it('counts the live members of a group; one that leaves or stops renewing is not counted', async () => {
    const [a, b, c] = processes;
    await a.join('test-group', 60_000);
    await b.join('test-group', 60_000);
    await c.join('test-group', 150);
    expect(await a.members('test-group')).toBe(3);
    expect(await a.share('test-group', 10)).toEqual({ members: 3, target: 4, cap: 4 });
    await b.leave('test-group');
    expect(await a.members('test-group')).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await a.members('test-group')).toBe(1);
    await c.join('test-group', 60_000); // renewing after its lease ran out: a member again
    expect(await a.members('test-group')).toBe(2);
    expect(await a.members('test-other-group')).toBe(1); // never below this process's own share
  });

  it('runs a periodic job on one process at a time; another takes it over once the holder stops or dies', async () => {
    const [a, b, c] = processes;
    expect(await a.runsJob('test-job')).toBe(true);
    expect(await b.runsJob('test-job')).toBe(false);
    expect(await a.runsJob('test-job')).toBe(true); // the holder keeps it
    await a.onApplicationShutdown(); // gives it back
    expect(await a.runsJob('test-job')).toBe(false); // a stopped process runs nothing
    expect(await b.runsJob('test-job')).toBe(true);
    expect(await c.runsJob('test-job')).toBe(false);
    // b "dies": its lease runs out (15 s after its last renewal; moved back here).
    await t.app.get(DataSource).query(`UPDATE "leases" SET "expires_at" = now() - interval '1 second' WHERE "resource" = 'job:test-job'`);
    expect(await c.runsJob('test-job')).toBe(true);
    expect(await b.runsJob('test-job')).toBe(false);
    for (const p of processes) await p.onApplicationShutdown();
  });
});
