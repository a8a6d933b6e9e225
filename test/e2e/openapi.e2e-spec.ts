import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOpenApiDocument } from '../../src/openapi/openapi.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const committed = readFileSync(join(process.cwd(), 'openapi.json'), 'utf8');

type Operation = {
  operationId: string;
  security: Array<Record<string, string[]>>;
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { examples?: Record<string, { value: unknown }> }> }>;
};

/** Every example message of one response of the document. */
function messages(doc: any, path: string, method: string, status: number): string[] {
  const op = doc.paths[path][method] as Operation;
  const examples = op.responses[String(status)].content!['application/json'].examples!;
  return Object.values(examples).map((e) => (e.value as { error: { message: string } }).error.message).sort();
}

describe('the OpenAPI document and Swagger UI (SPEC §7)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves GET /openapi.json: the committed openapi.json, byte for byte, without auth or rate limit', async () => {
    const res = await t.req('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(`${JSON.stringify(res.body, null, 2)}\n`).toBe(committed);
    expect(res.headers.get('X-RateLimit-Limit')).toBeNull();
    expect(res.headers.get('X-Request-Id')).toEqual(expect.any(String));
  });

  it('builds the committed document without a database (npm run openapi)', async () => {
    expect(await renderOpenApiDocument()).toBe(committed);
  });

  it('has a generated client in sync with it (npm run client:check)', () => {
    const out = execFileSync(process.execPath, [join(process.cwd(), 'scripts', 'client.js'), '--check'], { encoding: 'utf8' });
    expect(out).toBe('clients/typescript/schema.d.ts is up to date\n');
  });

  it('serves Swagger UI at GET /docs from local assets (works offline)', async () => {
    const page = await t.req('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-ui-init.js']) {
      expect(page.text).toContain(`./docs/${asset}`);
      const res = await t.req('GET', `/docs/${asset}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('X-RateLimit-Limit')).toBeNull();
    }
    const init = await t.req('GET', '/docs/swagger-ui-init.js');
    expect(init.text).toContain('"operationId": "setChatwoot"');
    expect(init.text).toContain('"validatorUrl": null');
  });

  it('names every operation by its handler and requires a token on each but Meta\'s webhook', () => {
    const doc = JSON.parse(committed);
    const ops = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op.operationId, op.security] as const),
    );
    const account = [{ token: [] }, { bearer: [] }];
    expect(ops).toEqual([
      ['POST /api/admin/account/new', 'createAccount', [{ adminToken: [] }, { adminBearer: [] }]],
      ['DELETE /api/chatwoot/delete/{instance}', 'deleteChatwoot', account],
      ['GET /api/chatwoot/list/{instance}', 'getChatwootStatus', account],
      ['POST /api/chatwoot/set/{instance}', 'setChatwoot', account],
      ['GET /api/instance/connect/{instance}', 'connectInstance', account],
      ['DELETE /api/instance/delete/{instance}', 'deleteInstance', account],
      ['GET /api/instance/list', 'listInstances', account],
      ['DELETE /api/instance/logout/{instance}', 'logoutInstance', account],
      ['POST /api/instance/new', 'createInstance', account],
      ['POST /api/instance/reconnect/{instance}', 'reconnectInstance', account],
      ['POST /api/message/media/{instance}', 'sendMedia', account],
      ['GET /api/message/media/{instance}/{messageId}', 'getMedia', account],
      ['POST /api/message/revoke/{instance}', 'revokeMessage', account],
      ['POST /api/message/text/{instance}', 'sendText', account],
      ['GET /webhooks/whatsapp-cloud', 'verifyCloudWebhook', []],
      ['POST /webhooks/whatsapp-cloud', 'receiveCloudWebhook', []],
      ['GET /ws/{instance}', 'streamEvents', account],
    ]);
    expect(doc.components.securitySchemes).toEqual({
      token: { type: 'apiKey', in: 'header', name: 'token', description: expect.any(String) },
      bearer: { type: 'http', scheme: 'bearer', description: expect.any(String) },
      adminToken: { type: 'apiKey', in: 'header', name: 'token', description: expect.stringContaining('ADMIN_TOKEN') },
      adminBearer: { type: 'http', scheme: 'bearer', description: expect.stringContaining('ADMIN_TOKEN') },
    });
  });

  it('documents the exact messages of SPEC §2–§5 and the headers of every /api response', () => {
    const doc = JSON.parse(committed);
    const set = '/api/chatwoot/set/{instance}';
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      if (path.startsWith('/webhooks/')) continue; // Meta's: no token, no rate limit
      for (const [method, op] of Object.entries(methods)) {
        expect(messages(doc, path, method, 401)).toContain('Invalid token');
        expect(messages(doc, path, method, 429)).toEqual(['Rate limit exceeded. Try again later.']);
        for (const [status, response] of Object.entries(op.responses)) {
          expect(Object.keys(response.headers ?? {})).toEqual(
            expect.arrayContaining(['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']),
          );
          if (status.startsWith('4') || status.startsWith('5')) {
            expect(response.content!['application/json']).toEqual(
              expect.objectContaining({ schema: { $ref: '#/components/schemas/ErrorEnvelope' } }),
            );
          }
        }
      }
    }
    expect(messages(doc, '/api/admin/account/new', 'post', 404)).toEqual(['Not found']);
    expect(messages(doc, '/api/instance/new', 'post', 413)).toEqual(['Request body too large']);
    expect(messages(doc, '/api/instance/new', 'post', 403)).toEqual(['Account instance quota exceeded']);
    expect(messages(doc, '/api/instance/new', 'post', 409)).toEqual(['Instance name already in use', 'Instance token already in use', 'Phone number already in use']);
    expect(messages(doc, '/api/instance/list', 'get', 404)).toEqual(['Instance not found']);
    expect(messages(doc, '/api/instance/delete/{instance}', 'delete', 404)).toEqual(['Instance not found']);
    expect(messages(doc, set, 'post', 401)).toEqual([
      'Chatwoot rejected the API token — verify chatwootApiToken. Detail: https://chatwoot.example.com/api/v1/accounts/5/inboxes HTTP 401: {"error":"Invalid Access Token"}',
      'Invalid token',
    ]);
    expect(messages(doc, set, 'post', 403)).toEqual([
      'Chatwoot denied the request — verify the API token has admin scope on account 5. Detail: https://chatwoot.example.com/api/v1/accounts/5/inboxes HTTP 401: {"error":"You are not authorized to do this action"}',
      'Instance token does not match the requested instance',
    ]);
    expect(messages(doc, set, 'post', 404)).toEqual(['instance not found']);
    expect(messages(doc, set, 'post', 409)).toEqual(['Chatwoot inbox "RyzeAPI" is already connected to another instance — choose another inboxName']);
    expect(messages(doc, set, 'post', 413)).toEqual(['Request body too large']);
    expect(messages(doc, set, 'post', 500)).toEqual(['Internal server error', 'chatwoot integration failed: persist integration: database write failed']);
    expect(messages(doc, set, 'post', 502)).toEqual([
      'Chatwoot is unreachable at https://chatwoot.example.com — verify chatwootBaseUrl and that the host is reachable from the server. Detail: Post "https://chatwoot.example.com/api/v1/accounts/5/inboxes": dial tcp 203.0.113.7:443: connect: connection refused',
      'integration gateway failed — retry later. Detail: unexpected non-JSON body with HTTP 500',
      'integration gateway is unreachable — retry later. Detail: POST http://bridge:8080/v1/integrations: connect ECONNREFUSED 10.0.0.12:8080',
    ]);
    expect(messages(doc, set, 'post', 503)).toEqual([
      'integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)',
      'integration gateway rejected the server credentials — verify BRIDGE_TOKEN',
    ]);
    expect(messages(doc, set, 'post', 504)).toEqual([
      'chatwoot activation timed out after 60s — it may still complete; check GET /api/chatwoot/list/suporte',
    ]);
    expect(messages(doc, set, 'post', 400)).toEqual([
      "Chatwoot URL is not allowed — chatwoot.internal resolves to a private or local address; the server's CHATWOOT_ALLOWED_HOSTS can allow it",
      'Chatwoot account or endpoint not found — verify chatwootBaseUrl (https://chatwoot.example.com) and chatwootAccountId (5). Detail: https://chatwoot.example.com/api/v1/accounts/5/inboxes HTTP 404: {"error":"Resource could not be found"}',
      'Chatwoot rejected the request as invalid — verify inboxName and the integration settings. Detail: https://chatwoot.example.com/api/v1/accounts/5/inboxes HTTP 422: {"message":"Name can\'t be blank"}',
      'invalid body: Content-Type must be application/json',
      'invalid body: body must be a JSON object',
      'invalid body: chatwootAccountId must be an integer greater than 0',
      'invalid body: chatwootBaseUrl must be an absolute http or https URL with a host and no query, fragment or credentials',
      'invalid body: malformed JSON',
      'invalid body: unknown field inbox',
    ]);
    for (const path of ['/api/chatwoot/list/{instance}', '/api/chatwoot/delete/{instance}']) {
      const method = path.includes('list') ? 'get' : 'delete';
      expect(messages(doc, path, method, 503)).toEqual(['integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)']);
      expect(messages(doc, path, method, 403)).toEqual(['Instance token does not match the requested instance']);
    }
    expect(messages(doc, '/api/chatwoot/list/{instance}', 'get', 404)).toEqual(['instance not found', 'no chatwoot integration for this instance']);
    expect(messages(doc, '/api/chatwoot/delete/{instance}', 'delete', 404)).toEqual(['instance not found', 'no chatwoot integration to delete']);

    // SPEC-MESSAGING §8–§10.
    const connect = '/api/instance/connect/{instance}';
    expect(messages(doc, connect, 'get', 400)).toEqual([
      'Invalid query: phone must be 8 to 15 digits',
      'WhatsApp Cloud API refused the phone number — verify cloudPhoneNumberId. Detail: <detail>',
      'WhatsApp Cloud API rejected the credentials — verify cloudAccessToken. Detail: <detail>',
    ]);
    expect(messages(doc, connect, 'get', 502)).toEqual(['WhatsApp is unreachable — retry later. Detail: <detail>']);
    expect(messages(doc, connect, 'get', 404)).toEqual(['Instance not found']);
    expect(messages(doc, '/api/instance/reconnect/{instance}', 'post', 400)).toContain('Instance has no saved session — call /connect first');
    const text = '/api/message/text/{instance}';
    expect(messages(doc, text, 'post', 400)).toEqual(expect.arrayContaining([
      'Instance is not connected to WhatsApp',
      'Invalid request body: Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -',
      'Invalid request body: number must be a phone number or a WhatsApp JID',
    ]));
    expect(messages(doc, text, 'post', 404)).toEqual(['Instance not found', 'Message not found']);
    expect(messages(doc, text, 'post', 409)).toEqual(['Idempotency-Key already used for a different request']);
    expect(messages(doc, text, 'post', 502)).toEqual([
      'WhatsApp Cloud API rejected the credentials — verify cloudAccessToken. Detail: <detail>',
      'WhatsApp is unreachable — retry later. Detail: <detail>',
      'WhatsApp rejected the message — rate limited by WhatsApp. Detail: <detail>',
      'WhatsApp rejected the message — the 24-hour customer service window is closed (send a template). Detail: <detail>',
      'WhatsApp rejected the message — the number is not on WhatsApp. Detail: <detail>',
    ]);
    expect(messages(doc, '/api/message/media/{instance}', 'post', 400)).toEqual(expect.arrayContaining([
      'Invalid request body: exactly one of mediaUrl or mediaBase64 is required',
      'Media could not be fetched — <reason>',
    ]));
    expect(messages(doc, '/api/message/media/{instance}/{messageId}', 'get', 404)).toEqual(['Instance not found', 'Media not found']);
    expect(messages(doc, '/ws/{instance}', 'get', 400)).toEqual(['Invalid query: after must be a non-negative integer']);
    expect(messages(doc, '/ws/{instance}', 'get', 426)).toEqual(['WebSocket upgrade required']);
  });
});
