import { ApiProperty } from '@nestjs/swagger';
import { CreatedAccount } from '../accounts.service.js';

export class CreatedAccountInfo {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, example: 'acme' })
  name: string;

  @ApiProperty({ type: String, description: 'The TokenAccount: shown only in this answer.' })
  token: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 10, description: 'null = unlimited.' })
  instanceQuota: number | null;
}

/** `201` of `POST /api/admin/account/new` (SPEC §3). */
export class CreatedAccountResponse {
  @ApiProperty({ type: Boolean, enum: [true] })
  success: true;

  @ApiProperty({ type: String, enum: ['Account created'] })
  message: 'Account created';

  @ApiProperty({ type: CreatedAccountInfo })
  account: CreatedAccountInfo;
}

export function toCreatedAccountResponse({ account, token }: CreatedAccount): CreatedAccountResponse {
  return {
    success: true,
    message: 'Account created',
    account: { id: account.id, name: account.name, token, instanceQuota: account.instanceQuota },
  };
}
