import { CreatedAccount } from '../accounts.service.js';

export interface CreatedAccountResponse {
  success: true;
  message: 'Account created';
  account: { id: string; name: string; token: string; instanceQuota: number | null };
}

export function toCreatedAccountResponse({ account, token }: CreatedAccount): CreatedAccountResponse {
  return {
    success: true,
    message: 'Account created',
    account: { id: account.id, name: account.name, token, instanceQuota: account.instanceQuota },
  };
}
