/** A decided status and client-visible message (SPEC §2), for the cross-cutting layers; modules throw domain errors. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly publicMessage: string,
  ) {
    super(publicMessage);
    this.name = 'HttpError';
  }
}

/** Messages shared by every route (SPEC §2). */
export const Messages = {
  invalidToken: 'Invalid token',
  instanceTokenMismatch: 'Instance token does not match the requested instance',
  notFound: 'Not found',
  tooLarge: 'Request body too large',
  rateLimited: 'Rate limit exceeded. Try again later.',
  internal: 'Internal server error',
} as const;
