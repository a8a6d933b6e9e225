import type { Request, Response } from 'express';
import getRawBody from 'raw-body';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable, Transform } from 'node:stream';

/** Why a body was not read: over its limit, or not a readable body at all. */
export type BodyReadFailure = 'too_large' | 'unreadable';

/**
 * Reads a request body up to `limitBytes` (after decompression when Content-Encoding is set). Past
 * the limit it stops at once and leaves the rest unread (SPEC §7): a declared Content-Length over
 * the limit is not read at all, and a chunked upload is read only up to the limit. Unlike
 * body-parser, which reads the whole request off the wire after a limit error, whatever its size.
 * The route still answers in its own order (SPEC §2: auth before the body); the connection closes
 * after that answer ({@link closeAfterAnswer}).
 */
export async function readBoundedBody(
  req: Request,
  res: Response,
  limitBytes: number,
  /** false: the bytes as sent, whatever Content-Encoding says (a signature covers those). */
  inflate = true,
): Promise<Buffer | BodyReadFailure> {
  const declared = req.headers['content-length'];
  let inflater: Transform | null = null;
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (inflate && encoding !== 'identity') {
    inflater = decompressor(encoding);
    if (!inflater) {
      closeAfterAnswer(req, res);
      return 'unreadable';
    }
    req.pipe(inflater);
    // pipe() does not pass on a client that went away: the inflater would wait for bytes forever.
    const abandoned = () => inflater?.destroy(new Error('request aborted'));
    req.once('aborted', abandoned);
    req.once('error', abandoned);
    req.once('close', () => {
      if (!req.complete) abandoned();
    });
  }
  const source: Readable = inflater ?? req;
  try {
    // The declared length is checked only on the identity encoding (it counts compressed bytes).
    return await getRawBody(source, { limit: limitBytes, length: source === req ? declared : undefined });
  } catch (err) {
    if (inflater) {
      req.unpipe(inflater);
      inflater.destroy();
    }
    closeAfterAnswer(req, res);
    return (err as { type?: string }).type === 'entity.too.large' ? 'too_large' : 'unreadable';
  }
}

function decompressor(encoding: string): Transform | null {
  switch (encoding) {
    case 'gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return null;
  }
}

/**
 * The request's body is left unread (over its limit, or refused without reading): the answer the
 * route gives is the last on this connection. Node then closes it once that answer is written,
 * instead of reading the rest of the body off the wire to reuse the connection.
 */
export function closeAfterAnswer(req: Request, res: Response): void {
  req.pause();
  if (!res.headersSent) res.setHeader('Connection', 'close');
}
