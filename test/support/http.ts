export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  bearer?: string;
  /** A JSON value, sent with Content-Type: application/json. */
  json?: unknown;
  /** A raw body, sent as is (with `contentType` when given). */
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A real HTTP request over loopback (no in-process shortcuts). */
export async function request<T = any>(base: string, method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token !== undefined) headers.token = opts.token;
  if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`;
  let body: string | Buffer | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = opts.contentType ?? 'application/json';
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    if (opts.contentType) headers['content-type'] = opts.contentType;
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** The error envelope of SPEC §2 with the given message. */
export function envelope(message: string): { success: false; error: { message: string } } {
  return { success: false, error: { message } };
}
