import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PrincipalLookup } from '../common/auth/principal-lookup.js';
import type { AccountPrincipal } from '../common/auth/principal.js';
import { constantTimeEquals } from '../common/auth/tokens.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PrincipalCache } from './principal-cache.js';

/**
 * Who a token is (SPEC §2, and an integration's callback token, SPEC-MESSAGING §11), from its
 * SHA-256 digest: the principal cache when it answers, otherwise one indexed look-up over every kind.
 */
@Injectable()
export class PrincipalResolver implements PrincipalLookup {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: PrincipalCache,
    private readonly metrics: MetricsService,
  ) {}

  async resolve(tokenHash: string): Promise<AccountPrincipal | null> {
    const cached = this.cache.get(tokenHash);
    if (cached) {
      this.metrics.countTokenLookup('cache');
      return cached;
    }
    const ticket = this.cache.ticket();
    const principal = await this.lookUp(tokenHash);
    this.metrics.countTokenLookup('database');
    if (principal) this.cache.remember(tokenHash, principal, ticket);
    return principal;
  }

  private async lookUp(tokenHash: string): Promise<AccountPrincipal | null> {
    const rows: Array<{ kind: string; account_id: string; instance_id: string | null; instance_name: string | null; token_hash: string }> =
      await this.dataSource.query(
        `SELECT 'account' AS kind, id AS account_id, NULL::uuid AS instance_id, NULL::varchar AS instance_name, token_hash
           FROM accounts WHERE token_hash = $1
         UNION ALL
         SELECT 'instance', account_id, id, name, token_hash FROM instances WHERE token_hash = $1
         UNION ALL
         SELECT 'callback', i.account_id, i.id, i.name, c.callback_token_hash
           FROM chatwoot_integrations c JOIN instances i ON i.id = c.instance_id WHERE c.callback_token_hash = $1`,
        [tokenHash],
      );
    const row = rows.find((r) => r.kind === 'account') ?? rows[0];
    if (!row || !constantTimeEquals(row.token_hash, tokenHash)) return null;
    if (row.kind === 'account') return { kind: 'account', accountId: row.account_id };
    return { kind: row.kind as 'instance' | 'callback', accountId: row.account_id, instanceId: row.instance_id!, instanceName: row.instance_name! };
  }
}
