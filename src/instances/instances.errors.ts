/** What can go wrong in the instances module; mapped to SPEC §4's answers by InstancesExceptionFilter. */
export type InstanceErrorCode =
  | 'NOT_FOUND'
  | 'TOKEN_MISMATCH'
  | 'NAME_IN_USE'
  | 'TOKEN_IN_USE'
  | 'QUOTA_EXCEEDED'
  | 'PHONE_NUMBER_IN_USE';

/** What the body errors of instances (and accounts) routes start with (SPEC §3–§4). */
export const BODY_ERROR_PREFIX = 'Invalid request body';

export class InstanceError extends Error {
  constructor(readonly code: InstanceErrorCode) {
    super(code);
    this.name = 'InstanceError';
  }
}
