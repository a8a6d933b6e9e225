import { Injectable } from '@nestjs/common';

/**
 * Bridge calls one account may have in flight. The gateway has 128 connections to the bridge: one
 * account's activations against a Chatwoot that never answers held all of them, and another
 * account's status read waited 12.6 s behind them (issue 16). At 8, sixteen such accounts would be
 * needed to fill the pool, and a rate limit stands in front of each.
 */
export const BRIDGE_CALLS_PER_ACCOUNT = 8;

export class SlotWaitTimeout extends Error {
  constructor(readonly waitedMs: number) {
    super(`this account already has ${BRIDGE_CALLS_PER_ACCOUNT} bridge calls in flight; none finished within ${waitedMs} ms`);
    this.name = 'SlotWaitTimeout';
  }
}

interface AccountState {
  active: number;
  waiting: Array<() => void>;
}

/** Per-account limit on bridge calls (SPEC §5: a tenant cannot degrade another). In-process: each replica has its own. */
@Injectable()
export class AccountSlots {
  private readonly accounts = new Map<string, AccountState>();

  constructor(readonly limit = BRIDGE_CALLS_PER_ACCOUNT) {}

  /** A slot now, or null when the account is at its limit. */
  tryTake(accountId: string): (() => void) | null {
    const state = this.state(accountId);
    if (state.active >= this.limit) return null;
    state.active += 1;
    return this.releaser(accountId, state);
  }

  /** A slot, waiting (first come, first served) up to `waitMs` for one; rejects with SlotWaitTimeout. */
  take(accountId: string, waitMs: number): Promise<() => void> {
    const now = this.tryTake(accountId);
    if (now) return Promise.resolve(now);
    const state = this.state(accountId);
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        state.active += 1;
        resolve(this.releaser(accountId, state));
      };
      const timer = setTimeout(() => {
        const i = state.waiting.indexOf(wake);
        if (i >= 0) state.waiting.splice(i, 1);
        reject(new SlotWaitTimeout(waitMs));
      }, Math.max(0, waitMs));
      timer.unref();
      state.waiting.push(wake);
    });
  }

  /** Calls in flight for the account (for tests and logs). */
  inFlight(accountId: string): number {
    return this.accounts.get(accountId)?.active ?? 0;
  }

  private state(accountId: string): AccountState {
    let state = this.accounts.get(accountId);
    if (!state) {
      state = { active: 0, waiting: [] };
      this.accounts.set(accountId, state);
    }
    return state;
  }

  private releaser(accountId: string, state: AccountState): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.active -= 1;
      const next = state.waiting.shift();
      if (next) next();
      else if (state.active === 0) this.accounts.delete(accountId);
    };
  }
}
