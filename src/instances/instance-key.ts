import type { AccountPrincipal } from '../common/auth/principal.js';
import { INSTANCE_NAME } from './dto/create-instance.dto.js';
import { InstanceError } from './instances.errors.js';

/** Which instance a path names: a TokenInstance's (or callback token's) own, by id, or a name inside the account. */
export type InstanceKey = { id: string } | { accountId: string; name: string };

/**
 * The instance named in a path, inside the caller's account (SPEC §2). A TokenInstance on any
 * other name, existing or not, is a mismatch; another account's instance is simply not found.
 */
export function instanceKey(principal: AccountPrincipal, name: string): InstanceKey {
  if (principal.kind === 'instance' || principal.kind === 'callback') {
    if (principal.instanceName !== name) throw new InstanceError('TOKEN_MISMATCH');
    return { id: principal.instanceId };
  }
  // No instance has such a name; asking PostgreSQL about one with a NUL byte would be a 500.
  if (!INSTANCE_NAME.test(name)) throw new InstanceError('NOT_FOUND');
  return { accountId: principal.accountId, name };
}
