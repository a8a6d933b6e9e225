import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { generateToken, hashToken } from '../common/auth/tokens.js';
import { Account } from './account.entity.js';

export interface CreatedAccount {
  account: Account;
  /** The TokenAccount in clear: shown once, never stored (SPEC §3). */
  token: string;
}

@Injectable()
export class AccountsService {
  constructor(@InjectRepository(Account) private readonly accounts: Repository<Account>) {}

  async create(name: string, instanceQuota: number | null): Promise<CreatedAccount> {
    const token = generateToken();
    const account = await this.accounts.save(
      this.accounts.create({ id: randomUUID(), name, instanceQuota, tokenHash: hashToken(token) }),
    );
    return { account, token };
  }
}
