import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LeasesService } from './leases.service.js';

/** A periodic job's lease: renewed every 5 s by its holder, free 15 s after the holder died. */
const JOB_TTL_MS = 15_000;
const JOB_RENEW_EVERY_MS = 5_000;

const memberResource = (group: string, holder: string) => `member:${group}:${holder}`;

/** How many of a group's resources one member should hold: `target` to take up to, `cap` above which it gives some back. */
export interface Share {
  members: number;
  target: number;
  cap: number;
}

/**
 * The processes sharing work on one database, from leases (no consensus of our own): a member of a
 * group (`routing`: bridge processes that route; `whatsapp`: API processes that hold Baileys
 * connections) holds the lease `member:<group>:<holder>`, and counts the group's live members to
 * take its fair share of the group's resources.
 *
 * The member renews its membership in its own sweep, just before the leases of its resources and
 * with their TTL: a member that dies therefore leaves the count no later than its resources
 * become free, and the survivors' shares already count without it when they take them over. Work that must run once across the fleet
 * (health checks, pruning, reconciliation) runs where {@link runsJob} says so.
 */
@Injectable()
export class Fleet implements OnApplicationShutdown {
  private readonly logger = new Logger('Fleet');
  private readonly groups = new Set<string>();
  private readonly jobs = new Set<string>();
  private jobTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly leases: LeasesService,
    private readonly dataSource: DataSource,
  ) {}

  get holder(): string {
    return this.leases.holder;
  }

  /** Joins a group (or renews the membership: see the class comment for when to call it). */
  async join(group: string, ttlMs: number): Promise<void> {
    if (this.stopped) return;
    this.groups.add(group);
    // acquire, not renew: a member whose lease expired (a long pause) joins again.
    await this.leases.acquire(memberResource(group, this.holder), ttlMs);
  }

  /** Leaves a group at once (before handing its resources over, so that the others count without it). */
  async leave(group: string): Promise<void> {
    this.groups.delete(group);
    await this.leases.release(memberResource(group, this.holder));
  }

  /** Live members of a group, this process included when it is one. */
  async members(group: string): Promise<number> {
    const rows: Array<{ n: string | number }> = await this.dataSource.query(
      `SELECT count(*) AS n FROM "leases" WHERE "resource" LIKE $1 AND "expires_at" >= now()`,
      [`member:${group}:%`],
    );
    return Math.max(1, Number(rows[0]?.n ?? 0));
  }

  /**
   * A member's share of `total` resources: it takes free ones up to ⌈total/N⌉ and gives back what
   * it holds above ⌈1.2 × total/N⌉ (down to the target). The gap between the two keeps members
   * from trading resources back and forth while the count settles; a new member gets its share
   * because the others give back down to the target, not to the cap.
   */
  async share(group: string, total: number): Promise<Share> {
    const members = await this.members(group);
    return { members, ...shareOf(total, members) };
  }

  /**
   * True when this process is the one to run a periodic job now: it holds (or just took) the
   * job's lease. A held job lease is renewed every 5 s for as long as the process lives, whatever
   * the job's own interval; when the holder dies, another process takes the job over within 15 s
   * at its next run.
   */
  async runsJob(name: string): Promise<boolean> {
    if (this.stopped) return false;
    const held = await this.leases.acquire(`job:${name}`, JOB_TTL_MS);
    if (held) this.jobs.add(name);
    else this.jobs.delete(name);
    if (this.jobs.size > 0 && !this.jobTimer) {
      this.jobTimer = setInterval(() => void this.renewJobs(), JOB_RENEW_EVERY_MS);
      this.jobTimer.unref();
    }
    return held;
  }

  private async renewJobs(): Promise<void> {
    if (this.stopped || this.jobs.size === 0) return;
    const names = [...this.jobs];
    try {
      const lost = new Set(await this.leases.renew(names.map((n) => `job:${n}`), JOB_TTL_MS));
      for (const n of names) if (lost.has(`job:${n}`)) this.jobs.delete(n);
    } catch (err) {
      this.logger.warn(`renewing job leases failed: ${(err as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.jobTimer) clearInterval(this.jobTimer);
    // Leaving at once: the others count one member fewer at their next sweep, and take the jobs.
    const resources = [...[...this.groups].map((g) => memberResource(g, this.holder)), ...[...this.jobs].map((j) => `job:${j}`)];
    await this.leases.releaseMany(resources).catch((err: Error) => this.logger.warn(`leaving the fleet failed: ${err.message}`));
  }
}

export function shareOf(total: number, members: number): { target: number; cap: number } {
  const n = Math.max(1, members);
  return { target: Math.ceil(total / n), cap: Math.ceil((1.2 * total) / n) };
}
