import type { Response } from 'express';

/** The error envelope of every error on every route (SPEC §2). */
export interface ErrorEnvelope {
  success: false;
  error: { message: string };
}

export function errorEnvelope(message: string): ErrorEnvelope {
  return { success: false, error: { message } };
}

export function sendError(res: Response, status: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status).json(errorEnvelope(message));
}
