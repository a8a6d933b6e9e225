import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityMetadata, type EntityTarget, In, type ObjectLiteral } from 'typeorm';
import { Account } from '../accounts/account.entity.js';
import { AccountPrincipal } from '../common/auth/principal.js';
import { PrincipalCache } from '../common/auth/principal-cache.js';
import { generateToken, hashToken } from '../common/auth/tokens.js';
import { uniqueViolation } from '../database/db-errors.js';
import { driverPool } from '../database/driver-pool.js';
import { CreateInstanceDto, INSTANCE_NAME } from './dto/create-instance.dto.js';
import { Instance } from './instance.entity.js';
import { InlineChatwootResult, InstanceChatwootSummary, InstanceHooks } from './instance-hooks.js';
import { InstanceError } from './instances.errors.js';

type ColumnMetadata = EntityMetadata['columns'][number];

export interface CreatedInstance {
  instance: Instance;
  /** The TokenInstance in clear: returned once, never stored. */
  token: string;
  chatwoot: InlineChatwootResult | null;
}

export interface ListedInstance {
  instance: Instance;
  chatwoot: InstanceChatwootSummary;
}

@Injectable()
export class InstancesService {
  /** SQL and columns of {@link resolveWith}, built once per joined entity, property list and kind of principal. */
  private readonly joinedQueries = new Map<string, { sql: string; columns: { instance: ColumnMetadata[]; joined: ColumnMetadata[] } }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hooks: InstanceHooks,
    private readonly principals: PrincipalCache,
  ) {}

  /** SPEC §4. The instance is created even when the inline chatwoot activation fails. */
  async create(principal: AccountPrincipal, dto: CreateInstanceDto): Promise<CreatedInstance> {
    const token = dto.token ?? generateToken();
    const tokenHash = hashToken(token);
    const instance = await this.insert(principal.accountId, dto.name, tokenHash);
    const chatwoot = dto.chatwootEnabled
      ? await this.hooks.activateInline(instance, {
          chatwootBaseUrl: dto.chatwootBaseUrl!,
          chatwootAccountId: dto.chatwootAccountId!,
          chatwootApiToken: dto.chatwootApiToken!,
          inboxName: dto.chatwootInboxName,
          signMessages: dto.chatwootSignMessages,
          ignoreGroups: dto.chatwootIgnoreGroups,
          startAsPending: dto.chatwootStartAsPending,
          reopenResolved: dto.chatwootReopenResolved,
        })
      : null;
    return { instance, token, chatwoot };
  }

  /**
   * The account row is locked for the duration, so that concurrent creations cannot both pass the
   * quota; the unique constraints settle races on names and tokens.
   */
  private async insert(accountId: string, name: string, tokenHash: string): Promise<Instance> {
    try {
      return await this.dataSource.transaction(async (m) => {
        const account = await m
          .getRepository(Account)
          .createQueryBuilder('a')
          .setLock('pessimistic_write')
          .where('a.id = :accountId', { accountId })
          .getOneOrFail();
        if (await m.existsBy(Instance, { accountId, name })) throw new InstanceError('NAME_IN_USE');
        // A custom token must not collide with any token of the server, of either kind.
        if ((await m.existsBy(Instance, { tokenHash })) || (await m.existsBy(Account, { tokenHash }))) {
          throw new InstanceError('TOKEN_IN_USE');
        }
        if (account.instanceQuota !== null && (await m.countBy(Instance, { accountId })) >= account.instanceQuota) {
          throw new InstanceError('QUOTA_EXCEEDED');
        }
        return m.save(m.create(Instance, { id: randomUUID(), accountId, name, tokenHash, status: 'disconnected' }));
      });
    } catch (err) {
      const constraint = uniqueViolation(err);
      if (constraint === 'UQ_instances_account_name') throw new InstanceError('NAME_IN_USE');
      if (constraint === 'UQ_instances_token_hash') throw new InstanceError('TOKEN_IN_USE');
      throw err;
    }
  }

  /** SPEC §4: a TokenInstance sees only its own instance; a TokenAccount may filter by names. */
  async list(principal: AccountPrincipal, instanceNameFilter: string | undefined): Promise<ListedInstance[]> {
    const repo = this.dataSource.getRepository(Instance);
    let instances: Instance[];
    if (principal.kind === 'instance') {
      instances = await repo.findBy({ id: principal.instanceId });
    } else {
      const names = (instanceNameFilter ?? '').split(',').map((n) => n.trim()).filter(Boolean);
      // A name no instance can have (a NUL byte, which PostgreSQL refuses in text, among others) is
      // unknown without asking the database.
      const possible = names.filter((n) => INSTANCE_NAME.test(n));
      instances =
        names.length > 0 && possible.length === 0
          ? []
          : await repo.find({
              where: names.length > 0 ? { accountId: principal.accountId, name: In(possible) } : { accountId: principal.accountId },
              order: { createdAt: 'ASC', name: 'ASC' },
            });
      if (names.length === 1 && instances.length === 0) throw new InstanceError('NOT_FOUND');
    }
    const summaries = await this.hooks.summaries(instances.map((i) => i.id));
    return instances.map((instance) => ({
      instance,
      chatwoot: summaries.get(instance.id) ?? { enabled: false, status: null },
    }));
  }

  /** SPEC §4: removes the instance and its chatwoot integration (inbox preserved). */
  async delete(principal: AccountPrincipal, name: string): Promise<void> {
    const instance = await this.resolve(principal, name);
    await this.hooks.removeForInstance(instance);
    await this.dataSource.getRepository(Instance).delete({ id: instance.id });
    // Every server hears of it from the database (TokenRevocations); this one forgets it before
    // answering, so that the caller's next request with the token is refused, here at least.
    this.principals.revoke(instance.tokenHash);
  }

  /**
   * The instance named in a path, inside the caller's account (SPEC §2). A TokenInstance on any
   * other name, existing or not, is a mismatch; another account's instance is simply not found.
   */
  async resolve(principal: AccountPrincipal, name: string): Promise<Instance> {
    this.checkResolvable(principal, name);
    const instance = await this.dataSource.getRepository(Instance).findOneBy(
      principal.kind === 'instance' ? { id: principal.instanceId } : { accountId: principal.accountId, name },
    );
    if (!instance) throw new InstanceError('NOT_FOUND');
    return instance;
  }

  /**
   * {@link resolve}, and in the same query the given properties of the row of `entity` that names
   * the instance in its `instanceId` column (null when there is none): one round trip for the hot
   * read of `GET /api/chatwoot/list` (SPEC §5). Same checks and errors as resolve().
   *
   * Lean on purpose, measured by `npm run bench`: only the columns asked for (pg parses the
   * description and value of every column it is sent, and the full rows held secrets the read
   * does not need), and straight to the driver's pool rather than through a TypeORM query runner.
   * The instance comes back with its id and name, the row as a partial entity of `properties`.
   */
  async resolveWith<T extends ObjectLiteral, K extends keyof T & string>(
    principal: AccountPrincipal,
    name: string,
    entity: EntityTarget<T>,
    properties: readonly K[],
  ): Promise<{ instance: Pick<Instance, 'id' | 'name'>; row: Pick<T, K> | null }> {
    this.checkResolvable(principal, name);
    const joined = this.dataSource.getMetadata(entity);
    const byId = principal.kind === 'instance';
    const { sql, columns } = this.joinedQuery(joined, properties, byId);
    const { rows: [raw] } = await driverPool(this.dataSource).query(sql, byId ? [principal.instanceId] : [principal.accountId, name]);
    if (!raw) throw new InstanceError('NOT_FOUND');
    const instance = this.hydrate<Instance>(this.dataSource.getMetadata(Instance), columns.instance, raw, 'i');
    const present = joined.primaryColumns.every((c) => raw[`j_${c.databaseName}`] !== null);
    return { instance, row: present ? this.hydrate<T>(joined, columns.joined, raw, 'j') : null };
  }

  private checkResolvable(principal: AccountPrincipal, name: string): void {
    if (principal.kind === 'instance' && principal.instanceName !== name) throw new InstanceError('TOKEN_MISMATCH');
    // No instance has such a name; asking PostgreSQL about one with a NUL byte would be a 500.
    if (!INSTANCE_NAME.test(name)) throw new InstanceError('NOT_FOUND');
  }

  private joinedQuery(
    joined: EntityMetadata,
    properties: readonly string[],
    byId: boolean,
  ): { sql: string; columns: { instance: ColumnMetadata[]; joined: ColumnMetadata[] } } {
    const key = `${joined.tableName}:${properties.join(',')}:${byId}`;
    let query = this.joinedQueries.get(key);
    if (!query) {
      const instances = this.dataSource.getMetadata(Instance);
      const pick = (m: EntityMetadata, wanted: readonly string[]) => {
        const columns = wanted.map((p) => {
          const column = m.findColumnWithPropertyName(p);
          if (!column) throw new Error(`${m.name} has no column ${p}`);
          return column;
        });
        // The primary key always: it tells a row from the LEFT JOIN's nulls.
        return [...m.primaryColumns.filter((c) => !columns.includes(c)), ...columns];
      };
      const select = (columns: ColumnMetadata[], alias: string) =>
        columns.map((c) => {
          // PostgreSQL truncates longer identifiers: the column would silently read as missing.
          if (c.databaseName.length + alias.length + 1 > 63) throw new Error(`column alias too long: ${alias}_${c.databaseName}`);
          return `${alias}."${c.databaseName}" AS "${alias}_${c.databaseName}"`;
        });
      const fk = joined.findColumnWithPropertyName('instanceId');
      if (!fk) throw new Error(`${joined.name} has no instanceId column`);
      const columns = { instance: pick(instances, ['name']), joined: pick(joined, properties) };
      const sql = `SELECT ${[...select(columns.instance, 'i'), ...select(columns.joined, 'j')].join(', ')}
               FROM "${instances.tableName}" i LEFT JOIN "${joined.tableName}" j ON j."${fk.databaseName}" = i."id"
              WHERE ${byId ? 'i."id" = $1' : 'i."account_id" = $1 AND i."name" = $2'}`;
      query = { sql, columns };
      this.joinedQueries.set(key, query);
    }
    return query;
  }

  /** An entity of the given columns from the `<alias>_<column>` fields of a raw row, as TypeORM's own find would build it. */
  private hydrate<T>(metadata: EntityMetadata, columns: ColumnMetadata[], raw: Record<string, unknown>, alias: string): T {
    const entity = metadata.create(undefined, { fromDeserializer: true }) as T;
    for (const column of columns) {
      const value = raw[`${alias}_${column.databaseName}`];
      if (value !== undefined) column.setEntityValue(entity as ObjectLiteral, this.dataSource.driver.prepareHydratedValue(value, column));
    }
    return entity;
  }
}
