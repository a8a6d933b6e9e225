/** The server's error envelope (SPEC §2): its message is shown to the operator as it is. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface InstanceItem {
  name: string;
  status: string;
  created_at: string;
  chatwoot: { enabled: boolean; status: string | null };
}

export interface ConnectAnswer {
  message: string;
  status: string;
  qrCode?: string;
  qrCodeBase64?: string;
  pairingCode?: string;
}

export interface ChatwootStatus {
  instance_name: string;
  status: string;
  bridge_integration_id: string;
  chatwoot_base_url: string;
  chatwoot_account_id: number;
  chatwoot_inbox_id: number;
  chatwoot_inbox_name: string;
  last_error: string;
  updated_at: string;
}

export interface ChatwootSetAnswer {
  instance: string;
  status: string;
  message: string;
}

/**
 * One call to this server's API with the operator's token in the `token` header (never in a URL).
 * A non-2xx answer throws an ApiError with the envelope's message, or with the status when the
 * answer is not the server's (a proxy's page).
 */
export async function api<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { token };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: said below
  }
  if (!res.ok) {
    const message = (json as { error?: { message?: unknown } } | null)?.error?.message;
    throw new ApiError(res.status, typeof message === 'string' ? message : `HTTP ${res.status} ${res.statusText}`.trim());
  }
  return json as T;
}

/** Path segment of an instance name (names are the client's own strings). */
export const seg = (name: string) => encodeURIComponent(name);
