import { AppLogger } from './app-logger.js';
import { runInRequestContext } from './request-context.js';

function capture(secrets: string[] = [], level: 'trace' | 'info' = 'trace') {
  const lines: string[] = [];
  const logger = new AppLogger({ level, secrets, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), raw: () => lines.join('') };
}

describe('AppLogger', () => {
  it('writes one JSON line per call, with Nest context, level label and ISO time', () => {
    const { logger, entries } = capture();
    logger.log('hello', 'Bootstrap');
    logger.warn({ msg: 'request completed', route: '/x', status: 200 }, 'Http');
    logger.error('boom', 'Error: boom\n    at f (file.js:1:2)', 'Chatwoot');
    logger.verbose('fine detail');
    expect(entries()).toEqual([
      expect.objectContaining({ level: 'info', context: 'Bootstrap', msg: 'hello', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) }),
      expect.objectContaining({ level: 'warn', context: 'Http', msg: 'request completed', route: '/x', status: 200 }),
      expect.objectContaining({ level: 'error', context: 'Chatwoot', msg: 'boom', stack: 'Error: boom\n    at f (file.js:1:2)' }),
      expect.objectContaining({ level: 'trace', msg: 'fine detail' }),
    ]);
  });

  it('follows the level', () => {
    const { logger, entries } = capture([], 'info');
    logger.debug('hidden');
    logger.verbose('hidden');
    logger.log('shown');
    expect(entries().map((e) => e.msg)).toEqual(['shown']);
  });

  it('redacts secret fields and scrubs known secret values wherever they appear', () => {
    const { logger, raw } = capture(['admin-token-secret-1', 'quote"secret"value']);
    logger.log({ msg: 'x', token: 'field-token-1234', body: { chatwoot: { api_token: 'nested-token-5678' } }, headers: { authorization: 'Bearer abcdefgh' } });
    logger.warn('echo admin-token-secret-1 and quote"secret"value');
    const text = raw();
    for (const s of ['field-token-1234', 'nested-token-5678', 'abcdefgh', 'admin-token-secret-1', 'quote\\"secret\\"value']) expect(text).not.toContain(s);
    expect(text).toContain('echo [REDACTED] and [REDACTED]');
  });

  it('adds the request id and scrubs the request secrets inside a request context', () => {
    const { logger, entries } = capture();
    runInRequestContext({ requestId: 'req-1', secrets: ['presented-token-abc'] }, () => logger.log('saw presented-token-abc'));
    logger.log('outside presented-token-abc');
    expect(entries()).toEqual([
      expect.objectContaining({ requestId: 'req-1', msg: 'saw [REDACTED]' }),
      expect.not.objectContaining({ requestId: expect.anything() }),
    ]);
    expect(entries()[1].msg).toBe('outside presented-token-abc');
  });

  it('scrubs secrets remembered at run time, the longest match first, but not values too short to be secrets', () => {
    const { logger, entries } = capture(['abc']);
    logger.knownSecrets.remember('runtime-secret-xyz');
    logger.knownSecrets.remember('runtime-secret-xyz-longer');
    logger.log('a runtime-secret-xyz-longer b runtime-secret-xyz c abc');
    expect(entries()[0].msg).toBe('a [REDACTED] b [REDACTED] c abc');
  });
});
