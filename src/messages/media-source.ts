import { fileTypeFromBuffer } from 'file-type';
import http from 'node:http';
import https from 'node:https';
import { AddressNotAllowedError, type AddressPolicy } from '../common/http/url-policy.js';

const MAX_REDIRECTS = 5;

/** Why a `mediaUrl` could not be fetched (SPEC-MESSAGING §9 `Media could not be fetched — <reason>`). */
export class MediaFetchError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'MediaFetchError';
  }
}

export interface FetchedMedia {
  bytes: Buffer;
  /** The answer's Content-Type, without parameters, when it named one. */
  contentType: string | null;
  /** The last path segment of the URL, for a document's default name. */
  fileName: string | null;
}

export interface MediaFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  /** SPEC §1 CHATWOOT_ALLOWED_HOSTS: public addresses, and the private ones the operator opened. */
  policy: AddressPolicy;
}

/**
 * Fetches a `mediaUrl` (SPEC-MESSAGING §9) under the address policy of Chatwoot URLs: checked at
 * connect time for every address and every redirect, at most `maxBytes`, one deadline for the
 * whole of it. Never sends credentials.
 */
export async function fetchMediaUrl(url: string, options: MediaFetchOptions): Promise<FetchedMedia> {
  const deadline = Date.now() + options.timeoutMs;
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    const answer = await get(target, options, deadline);
    if ('location' in answer) {
      if (hop >= MAX_REDIRECTS) throw new MediaFetchError(`more than ${MAX_REDIRECTS} redirects`);
      target = new URL(answer.location, target);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new MediaFetchError('redirected to a URL that is not http or https');
      continue;
    }
    const segment = decodeURIComponent(target.pathname.split('/').pop() ?? '');
    return { bytes: answer.bytes, contentType: answer.contentType, fileName: segment === '' ? null : segment };
  }
}

function get(
  target: URL,
  options: MediaFetchOptions,
  deadline: number,
): Promise<{ location: string } | { bytes: Buffer; contentType: string | null }> {
  try {
    options.policy.checkLiteral(target.hostname);
  } catch (err) {
    return Promise.reject(new MediaFetchError(`${(err as AddressNotAllowedError).address} is not a public address`));
  }
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err instanceof MediaFetchError ? err : new MediaFetchError(describe(err, target)));
    };
    const req = (secure ? https : http).request(
      target,
      { method: 'GET', headers: { Accept: '*/*' }, lookup: options.policy.lookup() },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          settled = true;
          clearTimeout(timer);
          return resolve({ location: res.headers.location });
        }
        if (status < 200 || status >= 300) {
          res.resume();
          return fail(new MediaFetchError(`the server answered HTTP ${status}`));
        }
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > options.maxBytes) return fail(new MediaFetchError(`larger than ${options.maxBytes} bytes`));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) return fail(new MediaFetchError(`larger than ${options.maxBytes} bytes`));
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const type = res.headers['content-type']?.split(';')[0].trim().toLowerCase() || null;
          resolve({ bytes: Buffer.concat(chunks), contentType: type });
        });
        res.on('error', fail);
        res.on('aborted', () => fail(new MediaFetchError('the connection was closed before the end of the file')));
      },
    );
    const timer = setTimeout(() => fail(new MediaFetchError(`no complete answer within ${Math.round(options.timeoutMs / 1000)} s`)), Math.max(1, deadline - Date.now()));
    req.on('error', fail);
    req.end();
  });
}

function describe(err: unknown, target: URL): string {
  if (err instanceof AddressNotAllowedError) return `${target.hostname} resolves to ${err.address}, which is not a public address`;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return `${target.hostname} could not be resolved`;
  if (e?.code) return `${e.code} ${target.hostname}`;
  return e?.message ?? String(err);
}

/**
 * The MIME type of a file: the one given, else what its bytes say (magic numbers), else what the
 * server that sent it said, else `application/octet-stream`.
 */
export async function mimetypeOf(bytes: Buffer, given: string | undefined, served: string | null): Promise<string> {
  if (given) return given;
  const sniffed = await fileTypeFromBuffer(bytes);
  return sniffed?.mime ?? served ?? 'application/octet-stream';
}
