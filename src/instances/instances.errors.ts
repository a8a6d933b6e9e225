/** What can go wrong in the instances module; mapped to SPEC §4's answers by InstancesExceptionFilter. */
export type InstanceErrorCode =
  | 'NOT_FOUND'
  | 'TOKEN_MISMATCH'
  | 'NAME_IN_USE'
  | 'TOKEN_IN_USE'
  | 'QUOTA_EXCEEDED';

export class InstanceError extends Error {
  constructor(readonly code: InstanceErrorCode) {
    super(code);
    this.name = 'InstanceError';
  }
}
