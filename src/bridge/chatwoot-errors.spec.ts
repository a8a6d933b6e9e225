import {
  ChatwootHttpError, ChatwootUnreachableError, describeNetworkError, reasonOfHttpFailure, showAnswer, toBridgeError,
} from './chatwoot-errors.js';

const URL_ = 'https://chatwoot.example.com/api/v1/accounts/5/inboxes';

describe('reasonOfHttpFailure (BRIDGE-API §4)', () => {
  it.each<[number, string, string]>([
    [401, '{"error":"Invalid Access Token"}', 'token_rejected'],
    [401, '{"errors":["You need to sign in or sign up before continuing."]}', 'token_rejected'],
    [401, '{"error":"something new"}', 'token_rejected'],
    [401, 'Unauthorized', 'token_rejected'],
    [401, '', 'token_rejected'],
    [401, '{"error":"You are not authorized to do this action"}', 'forbidden'],
    [401, '{"error":"You are not authorized to access this account"}', 'forbidden'],
    [401, '{"error":"Access to this endpoint is not authorized for bots"}', 'forbidden'],
    [401, '{"error":"Bot is not authorized to access this account"}', 'forbidden'],
    [401, '{"error":"Account is suspended"}', 'forbidden'],
    [403, '{"error":"Message status update is only allowed for API inboxes"}', 'forbidden'],
    [403, '', 'forbidden'],
    [404, '{"error":"Resource could not be found"}', 'not_found'],
    [404, '', 'not_found'],
    [405, '', 'not_found'],
    [301, '', 'not_found'],
    [302, '<html>login</html>', 'not_found'],
    [422, '{"message":"Name can\'t be blank","attributes":["name"]}', 'invalid'],
    [402, '{"error":"Account limit exceeded. Upgrade to a higher plan"}', 'invalid'],
    [400, 'Bad Request', 'invalid'],
    [429, 'Retry later\n', 'upstream_error'],
    [500, '{"status":500,"error":"Internal Server Error"}', 'upstream_error'],
    [502, 'Bad Gateway', 'upstream_error'],
    [503, '', 'upstream_error'],
  ])('HTTP %i %j → %s', (status, body, reason) => {
    expect(reasonOfHttpFailure(status, body)).toBe(reason);
  });

  it('classifies a 2xx that is not Chatwoot as not_found', () => {
    expect(reasonOfHttpFailure(200, '<html>', true)).toBe('not_found');
  });
});

describe('showAnswer (SPEC §5: Detail quotes only Chatwoot\'s own JSON errors)', () => {
  it.each([
    '{"error":"Invalid Access Token"}',
    '{"errors":["You need to sign in or sign up before continuing."]}',
    '{"message":"Name can\'t be blank","attributes":["name"]}',
    '{"status":500,"error":"Internal Server Error"}',
  ])('quotes %s', (body) => {
    expect(showAnswer(body, 'application/json; charset=utf-8', body.length, false)).toEqual({ quoted: body });
  });

  it('cuts a long JSON error to 300 characters', () => {
    const body = JSON.stringify({ error: 'x'.repeat(400) });
    expect(showAnswer(body, 'application/json', body.length, false)).toEqual({ quoted: `${body.slice(0, 300)}…` });
  });

  it.each<[string, string | undefined, number, boolean, string]>([
    ['<html>INTERNAL-SECRET-PAGE</html>', 'text/html; charset=utf-8', 5120, true, "text/html, 5120 bytes, not Chatwoot's API"],
    ['INTERNAL-SECRET-PAGE', 'text/plain', 20, false, 'text/plain, 20 bytes'],
    ['{"secret":"INTERNAL"}', 'application/json', 21, false, 'application/json, 21 bytes'],
    ['["INTERNAL"]', 'application/json', 12, false, 'application/json, 12 bytes'],
    ['{"error":"Invalid Access Token"}', 'application/json', 32, true, "application/json, 32 bytes, not Chatwoot's API"],
    ['-ERR unknown command', undefined, 20, false, '20 bytes'],
    ['x', 'text/html<script>INTERNAL', 1, false, 'an unknown type, 1 bytes'],
    ['', '', 0, false, '0 bytes'],
  ])('describes %j (%s) without quoting it', (body, type, bytes, notChatwoot, described) => {
    expect(showAnswer(body, type, bytes, notChatwoot)).toEqual({ described });
  });
});

describe('toBridgeError', () => {
  it('maps an HTTP failure to upstream_http with the documented message', () => {
    const body = '{"error":"Invalid Access Token"}';
    const e = toBridgeError(new ChatwootHttpError('GET', URL_, 401, showAnswer(body, 'application/json', body.length, false), false, body));
    expect([e.code, e.reason, e.upstreamStatus, e.message]).toEqual([
      'upstream_http', 'token_rejected', 401, `${URL_} HTTP 401: {"error":"Invalid Access Token"}`,
    ]);
  });

  it('maps a network failure to upstream_unreachable without upstream_status', () => {
    const e = toBridgeError(new ChatwootUnreachableError('POST', URL_, 'ECONNREFUSED', 'dial tcp [::1]:443: connect: connection refused (ECONNREFUSED)'));
    expect([e.code, e.reason, e.upstreamStatus, e.message]).toEqual([
      'upstream_unreachable', 'unreachable', undefined, `Post "${URL_}": dial tcp [::1]:443: connect: connection refused (ECONNREFUSED)`,
    ]);
  });
});

describe('describeNetworkError', () => {
  const err = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? 'x')), fields);

  it.each<[string, Record<string, unknown>, string]>([
    ['refused', { code: 'ECONNREFUSED', address: '127.0.0.1', port: 1 }, 'dial tcp 127.0.0.1:1: connect: connection refused (ECONNREFUSED)'],
    ['refused on IPv6', { code: 'ECONNREFUSED', address: '::1', port: 443 }, 'dial tcp [::1]:443: connect: connection refused (ECONNREFUSED)'],
    ['no such host', { code: 'ENOTFOUND', hostname: 'chatwoot.example.com' }, 'dial tcp: lookup chatwoot.example.com: no such host (ENOTFOUND)'],
    ['DNS timeout', { code: 'EAI_AGAIN' }, 'dial tcp: lookup chatwoot.example.com: no such host (EAI_AGAIN)'],
    ['connect timeout', { code: 'ETIMEDOUT', address: '203.0.113.9', port: 443 }, 'dial tcp 203.0.113.9:443: i/o timeout (ETIMEDOUT)'],
    ['call deadline', { code: 'ETIMEDOUT' }, 'i/o timeout: no answer within 15000ms (ETIMEDOUT)'],
    ['reset', { code: 'ECONNRESET' }, 'read tcp chatwoot.example.com:443: connection reset by peer (ECONNRESET)'],
    ['certificate', { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, 'tls: handshake with chatwoot.example.com:443 failed: certificate has expired (CERT_HAS_EXPIRED)'],
    ['self-signed', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }, 'tls: handshake with chatwoot.example.com:443 failed: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)'],
    ['OpenSSL', { code: 'EPROTO', message: 'write EPROTO 80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record/ssl3_record.c:350:' }, 'tls: handshake with chatwoot.example.com:443 failed: wrong version number (EPROTO)'],
    ['policy', { code: 'EADDRNOTALLOWED', message: 'address 10.0.0.1 is a private or local address that CHATWOOT_ALLOWED_HOSTS does not allow' }, 'address 10.0.0.1 is a private or local address that CHATWOOT_ALLOWED_HOSTS does not allow'],
    ['anything else', { code: 'EPIPE', message: 'write EPIPE' }, 'write EPIPE (EPIPE)'],
  ])('%s', (_, fields, detail) => {
    expect(describeNetworkError(err(fields), 'chatwoot.example.com', 443, 15_000)).toEqual({ code: fields.code, detail });
  });

  it('copes with a thrown non-error', () => {
    expect(describeNetworkError('boom', 'h', 80, 1)).toEqual({ code: 'UNKNOWN', detail: 'boom (UNKNOWN)' });
  });
});
