import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { RequireToken } from '../common/auth/auth.guard.js';
import { JsonBodyPipe } from '../common/http/json-body.pipe.js';
import { AccountsService } from './accounts.service.js';
import { CreateAccountDto } from './dto/create-account.dto.js';
import { CreatedAccountResponse, toCreatedAccountResponse } from './dto/account.response.js';

/** Self-hosting: how accounts are made (SPEC §3). Exists only when ADMIN_TOKEN is set. */
@Controller('api/admin/account')
@RequireToken('admin')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post('new')
  @HttpCode(201)
  async createAccount(
    @Body(new JsonBodyPipe(CreateAccountDto, 'Invalid request body')) body: CreateAccountDto,
  ): Promise<CreatedAccountResponse> {
    return toCreatedAccountResponse(await this.accounts.create(body.name, body.instanceQuota ?? null));
  }
}
