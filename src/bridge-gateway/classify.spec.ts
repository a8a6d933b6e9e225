import { byTextPattern, classifyBridgeAnswer } from './classify.js';

const structured = (error: Record<string, unknown>) => JSON.stringify({ error: { message: 'raw text', ...error } });

describe('classifyBridgeAnswer', () => {
  it.each([
    ['token_rejected', 'token_rejected'],
    ['forbidden', 'forbidden'],
    ['not_found', 'not_found'],
    ['invalid', 'invalid'],
    ['upstream_error', 'unreachable'],
    ['unreachable', 'unreachable'],
  ])('maps upstream reason %s to the %s Chatwoot row', (reason, failure) => {
    expect(classifyBridgeAnswer(502, structured({ code: 'upstream_http', reason, upstream_status: 418 }))).toEqual({
      kind: 'chatwoot', failure, detail: 'raw text',
    });
  });

  it('maps blocked_address (nothing was sent) to the URL-not-allowed row', () => {
    expect(classifyBridgeAnswer(502, structured({ code: 'upstream_unreachable', reason: 'blocked_address' }))).toEqual({
      kind: 'chatwoot', failure: 'blocked_address', detail: 'raw text',
    });
  });

  it('maps a 409 inbox_in_use to the inbox-in-use row, and the code with another status to a gateway failure', () => {
    expect(classifyBridgeAnswer(409, structured({ code: 'inbox_in_use' }))).toEqual({ kind: 'inbox_in_use', detail: 'raw text' });
    expect(classifyBridgeAnswer(500, structured({ code: 'inbox_in_use' }))).toEqual({ kind: 'failed', detail: 'raw text' });
  });

  it('lets reason win over upstream_status', () => {
    // Chatwoot answers 401 for missing admin rights too: the reason says which.
    expect(classifyBridgeAnswer(502, structured({ code: 'upstream_http', reason: 'forbidden', upstream_status: 401 }))).toMatchObject({
      failure: 'forbidden',
    });
  });

  it.each([
    [401, 'token_rejected'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [422, 'invalid'],
    [500, 'unreachable'],
    [503, 'unreachable'],
  ])('falls back to upstream_status %i', (upstream_status, failure) => {
    expect(classifyBridgeAnswer(502, structured({ code: 'upstream_http', upstream_status }))).toMatchObject({ kind: 'chatwoot', failure });
  });

  it('treats upstream_unreachable without reason or status as the unreachable row', () => {
    expect(classifyBridgeAnswer(502, structured({ code: 'upstream_unreachable' }))).toMatchObject({ kind: 'chatwoot', failure: 'unreachable' });
  });

  it('does not apply text patterns to a structured error', () => {
    expect(classifyBridgeAnswer(500, structured({ code: 'internal', message: 'HTTP 401 somewhere' }))).toEqual({
      kind: 'failed', detail: 'HTTP 401 somewhere',
    });
    expect(classifyBridgeAnswer(400, structured({ code: 'invalid_request', message: 'HTTP 404' }))).toMatchObject({ kind: 'failed' });
    expect(classifyBridgeAnswer(502, structured({ code: 'upstream_http', upstream_status: 429, message: 'HTTP 401' }))).toMatchObject({
      kind: 'failed',
    });
  });

  it.each([401, 403])('classifies a %i from the bridge as rejected server credentials', (status) => {
    expect(classifyBridgeAnswer(status, structured({ code: 'unauthorized' }))).toMatchObject({ kind: 'credentials' });
    expect(classifyBridgeAnswer(status, 'go away')).toMatchObject({ kind: 'credentials', detail: 'go away' });
  });

  it.each([
    ['https://cw/api/v1/accounts/5/inboxes HTTP 401: {"error":"Invalid Access Token"}', 'token_rejected'],
    ['HTTP 403: nope', 'forbidden'],
    ['HTTP 404: not here', 'not_found'],
    ['HTTP 422: bad', 'invalid'],
    ['HTTP 503: down', 'unreachable'],
    ['Post "https://cw/api": dial tcp [::1]:443: connect: connection refused', 'unreachable'],
    ['read tcp: i/o timeout', 'unreachable'],
    ['lookup cw: no such host', 'unreachable'],
    ['connect ECONNREFUSED 127.0.0.1:1', 'unreachable'],
    ['getaddrinfo ENOTFOUND cw', 'unreachable'],
    ['connect ETIMEDOUT 10.0.0.1:443', 'unreachable'],
  ])('classifies a text-only error %p by its pattern', (text, failure) => {
    expect(classifyBridgeAnswer(500, text)).toEqual({ kind: 'chatwoot', failure, detail: text });
  });

  it('classifies text with no pattern, garbage and empty bodies as a gateway failure', () => {
    expect(classifyBridgeAnswer(500, 'something broke')).toEqual({ kind: 'failed', detail: 'something broke' });
    expect(classifyBridgeAnswer(502, '<html>Bad Gateway</html>')).toMatchObject({ kind: 'failed' });
    expect(classifyBridgeAnswer(500, '')).toEqual({ kind: 'failed', detail: 'HTTP 500 with an empty body' });
    expect(classifyBridgeAnswer(500, '{"unexpected":true}')).toMatchObject({ kind: 'failed' });
  });

  it('reads HTTP 5dd only as a three-digit status', () => {
    expect(byTextPattern('HTTP 5000 items')).toBeNull();
    expect(byTextPattern('HTTP 4011')).toBeNull();
  });
});
