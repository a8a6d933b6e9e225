import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequireToken } from '../common/auth/auth.guard.js';
import { Messages } from '../common/errors/http-error.js';
import { JsonBodyPipe } from '../common/http/json-body.pipe.js';
import { ApiEndpoint, bodyErrors } from '../openapi/api-endpoint.decorator.js';
import { AccountsService } from './accounts.service.js';
import { CreateAccountDto } from './dto/create-account.dto.js';
import { CreatedAccountResponse, toCreatedAccountResponse } from './dto/account.response.js';

const BODY_MESSAGE = 'Invalid request body';

/** Self-hosting: how accounts are made (SPEC §3). Exists only when ADMIN_TOKEN is set. */
@Controller('api/admin/account')
@ApiTags('accounts')
@RequireToken('admin')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post('new')
  @HttpCode(201)
  // The answer holds a token shown only here (SPEC §7): no cache may keep it.
  @Header('Cache-Control', 'no-store')
  @ApiEndpoint({
    summary: 'Create an account',
    description:
      'Creates an account and returns its TokenAccount, shown only here. The same is available from the command ' +
      'line (`npm run cli -- account:create <name>`).',
    auth: 'admin',
    success: { status: 201, type: CreatedAccountResponse, description: 'Account created' },
    errors: [
      ...bodyErrors(CreateAccountDto, BODY_MESSAGE, [
        { key: 'nameMissing', when: 'a field breaks its rule', body: { instanceQuota: 10 } },
        { key: 'unknownField', when: 'the body has a field that is not documented', body: { name: 'acme', plan: 'gold' } },
      ]),
      // SPEC §1: without ADMIN_TOKEN the admin endpoints do not exist.
      { status: 404, key: 'adminDisabled', message: Messages.notFound, when: 'ADMIN_TOKEN is not set' },
    ],
  })
  async createAccount(
    @Body(new JsonBodyPipe(CreateAccountDto, BODY_MESSAGE)) body: CreateAccountDto,
  ): Promise<CreatedAccountResponse> {
    return toCreatedAccountResponse(await this.accounts.create(body.name, body.instanceQuota ?? null));
  }
}
