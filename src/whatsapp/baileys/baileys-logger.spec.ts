import { baileysLogger } from './baileys-logger.js';

describe('baileysLogger (research notes §12)', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, logger: baileysLogger({ warn: (m) => void lines.push(`W ${m}`), error: (m) => void lines.push(`E ${m}`) }, { instance: 'inst' }) };
  };

  it('is at warn: below it nothing is written (Baileys logs whole frames at trace and debug)', () => {
    const { lines, logger } = capture();
    expect(logger.level).toBe('warn');
    logger.trace({ xml: '<iq/>', msg: 'xml send' });
    logger.debug({ node: { tag: 'message' } }, 'recv');
    logger.info({ histNotification: { mediaKey: 'secret' } }, 'got history notification');
    expect(lines).toEqual([]);
  });

  it('never writes frames, stanzas, the QR string or a Boom\'s data; keeps ids and error messages', () => {
    const { lines, logger } = capture();
    const error = Object.assign(new Error('Invalid message stanza'), { output: { statusCode: 400 }, data: { tag: 'message', attrs: { from: 'x' } } });
    logger.child({ class: 'baileys', node: 'NODE' }).error(
      { error, node: '<message>ciphertext</message>', qr: '2@ref,noise,identity,advsecret', key: { remoteJid: 'a@s.whatsapp.net', id: 'ID1', extra: 'x' }, msgId: 'ID1' },
      'error in handling message',
    );
    logger.warn('url generation failed');
    expect(lines).toEqual([
      'E error in handling message {"instance":"inst","class":"baileys","error":{"name":"Error","message":"Invalid message stanza","statusCode":400},"key":{"remoteJid":"a@s.whatsapp.net","id":"ID1"},"msgId":"ID1"}',
      'W url generation failed',
    ]);
  });
});
