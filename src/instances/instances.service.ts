import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { Account } from '../accounts/account.entity.js';
import { AccountPrincipal } from '../common/auth/principal.js';
import { PrincipalCache } from '../auth/principal-cache.js';
import { generateToken, hashToken } from '../common/auth/tokens.js';
import { SecretCipher } from '../common/crypto/secret-cipher.js';
import { uniqueViolation } from '../database/db-errors.js';
import { CreateInstanceDto, INSTANCE_NAME } from './dto/create-instance.dto.js';
import { Instance } from './instance.entity.js';
import { instanceKey } from './instance-key.js';
import {
  INSTANCE_CREATED, INSTANCE_DELETING, INSTANCES_LISTED, InstanceCreatedEvent, InstanceDeletingEvent, InstancesListedEvent,
  type InlineChatwootResult, type InstanceChatwootSummary,
} from './instance.events.js';
import { InstanceError } from './instances.errors.js';

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
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: EventEmitter2,
    private readonly principals: PrincipalCache,
    private readonly cipher: SecretCipher,
  ) {}

  /** SPEC §4. The instance is created even when the inline chatwoot activation fails. */
  async create(principal: AccountPrincipal, dto: CreateInstanceDto): Promise<CreatedInstance> {
    const token = dto.token ?? generateToken();
    const instance = await this.insert(principal.accountId, {
      id: randomUUID(),
      accountId: principal.accountId,
      name: dto.name,
      tokenHash: hashToken(token),
      status: 'disconnected',
      provider: dto.provider ?? 'baileys',
      ...(dto.provider === 'cloud'
        ? {
            cloudPhoneNumberId: dto.cloudPhoneNumberId!,
            cloudAccessToken: this.cipher.encrypt(dto.cloudAccessToken!),
            cloudAppSecret: this.cipher.encrypt(dto.cloudAppSecret!),
            cloudVerifyTokenHash: hashToken(dto.cloudVerifyToken!),
          }
        : {}),
    });
    const created = new InstanceCreatedEvent(instance, dto);
    await this.events.emitAsync(INSTANCE_CREATED, created);
    return { instance, token, chatwoot: created.chatwoot };
  }

  /**
   * The account row is locked for the duration, so that concurrent creations cannot both pass the
   * quota; the unique constraints settle races on names and tokens.
   */
  private async insert(accountId: string, values: Partial<Instance> & Pick<Instance, 'name' | 'tokenHash'>): Promise<Instance> {
    const { name, tokenHash, cloudPhoneNumberId } = values;
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
        if (cloudPhoneNumberId && (await m.existsBy(Instance, { cloudPhoneNumberId }))) throw new InstanceError('PHONE_NUMBER_IN_USE');
        return m.save(m.create(Instance, values));
      });
    } catch (err) {
      const constraint = uniqueViolation(err);
      if (constraint === 'UQ_instances_account_name') throw new InstanceError('NAME_IN_USE');
      if (constraint === 'UQ_instances_token_hash') throw new InstanceError('TOKEN_IN_USE');
      if (constraint === 'UQ_instances_cloud_phone_number_id') throw new InstanceError('PHONE_NUMBER_IN_USE');
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
    const listed = new InstancesListedEvent(instances.map((i) => i.id));
    await this.events.emitAsync(INSTANCES_LISTED, listed);
    return instances.map((instance) => ({
      instance,
      chatwoot: listed.chatwoot.get(instance.id) ?? { enabled: false, status: null },
    }));
  }

  /** SPEC §4: removes the instance and its chatwoot integration (inbox preserved). */
  async delete(principal: AccountPrincipal, name: string): Promise<void> {
    const instance = await this.resolve(principal, name);
    await this.events.emitAsync(INSTANCE_DELETING, new InstanceDeletingEvent(instance));
    await this.dataSource.getRepository(Instance).delete({ id: instance.id });
    // Every server hears of it from the database (TokenRevocations); this one forgets it before
    // answering, so that the caller's next request with the token is refused, here at least.
    this.principals.revoke(instance.tokenHash);
  }

  /** The instance named in a path, inside the caller's account (SPEC §2). */
  async resolve(principal: AccountPrincipal, name: string): Promise<Instance> {
    const instance = await this.dataSource.getRepository(Instance).findOneBy(instanceKey(principal, name));
    if (!instance) throw new InstanceError('NOT_FOUND');
    return instance;
  }
}
