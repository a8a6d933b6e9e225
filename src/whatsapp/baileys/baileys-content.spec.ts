import { generateWAMessage, getContentType, type WAMessage } from '@whiskeysockets/baileys';
import pino from 'pino';
import { fixture, GROUP, ME, PEER } from '../../../test/fixtures/baileys/messages.js';
import type { OutgoingMedia, OutgoingMessage } from '../whatsapp.port.js';
import { toBaileysSend } from './baileys-content.js';
import { toProviderMessage } from './baileys-messages.js';

const logger = pino({ level: 'silent' });

/** What Baileys would put on the wire for a send (its own generator; uploads stubbed). */
async function generate(message: OutgoingMessage): Promise<{ msg: WAMessage; uploads: string[] }> {
  const { jid, content, options } = toBaileysSend(message);
  const uploads: string[] = [];
  const msg = await generateWAMessage(jid, content, {
    ...options,
    logger,
    userJid: ME.id,
    upload: async (_path, { mediaType }) => {
      uploads.push(mediaType);
      return { mediaUrl: 'https://mmg.whatsapp.net/x.enc', directPath: '/v/t62/x.enc' };
    },
    getUrlInfo: async () => {
      throw new Error('no link preview was asked for');
    },
  });
  return { msg, uploads };
}

const media = (over: Partial<OutgoingMedia>): OutgoingMedia => ({
  type: 'image', bytes: Buffer.from('not really an image'), mimetype: 'image/jpeg', fileName: null, caption: null, voice: false, ...over,
});

describe('OutgoingMessage → Baileys content (SPEC-MESSAGING §9)', () => {
  it('text goes without a link preview unless asked', async () => {
    expect(toBaileysSend({ to: PEER, text: 'see https://example.com' })).toEqual({
      jid: PEER, content: { text: 'see https://example.com', linkPreview: null }, options: {},
    });
    expect(toBaileysSend({ to: PEER, text: 'see https://example.com', linkPreview: true }).content).toEqual({ text: 'see https://example.com' });
    const { msg } = await generate({ to: PEER, text: 'see https://example.com' });
    expect(msg.key).toMatchObject({ remoteJid: PEER, fromMe: true });
    expect(msg.message?.extendedTextMessage?.text).toBe('see https://example.com');
    expect(msg.message?.extendedTextMessage?.matchedText).toBeFalsy();
  });

  it('image and video with caption and mimetype', async () => {
    const { msg, uploads } = await generate({ to: PEER, media: media({ caption: 'look' }) });
    expect(uploads).toEqual(['image']);
    expect(msg.message?.imageMessage).toMatchObject({ caption: 'look', mimetype: 'image/jpeg', directPath: '/v/t62/x.enc' });
    const video = await generate({ to: PEER, media: media({ type: 'video', mimetype: 'video/mp4', caption: 'clip' }) });
    expect(video.msg.message?.videoMessage).toMatchObject({ caption: 'clip', mimetype: 'video/mp4' });
  });

  it('audio as a voice note (ptt) or a plain audio', async () => {
    const voice = await generate({ to: PEER, media: media({ type: 'audio', mimetype: 'audio/ogg; codecs=opus', voice: true }) });
    expect(voice.msg.message?.audioMessage).toMatchObject({ ptt: true, mimetype: 'audio/ogg; codecs=opus' });
    const plain = await generate({ to: PEER, media: media({ type: 'audio', mimetype: 'audio/mpeg', voice: false }) });
    expect(plain.msg.message?.audioMessage?.ptt).toBeFalsy();
    expect(plain.msg.message?.audioMessage?.mimetype).toBe('audio/mpeg');
  });

  it('document with file name, mimetype and caption', async () => {
    const { msg } = await generate({ to: PEER, media: media({ type: 'document', mimetype: 'application/pdf', fileName: 'a.pdf', caption: 'the report' }) });
    expect(getContentType(msg.message!)).toBe('documentMessage');
    expect(msg.message?.documentMessage).toMatchObject({ fileName: 'a.pdf', mimetype: 'application/pdf', caption: 'the report' });
  });

  it('a reply quotes the stored raw of the replied message (key and content), in a group too', async () => {
    const stored = toProviderMessage(fixture('text'))!.raw;
    const { msg } = await generate({ to: PEER, text: 'answer', replyTo: { id: '3EB0TEXT0001', chatJid: PEER, raw: JSON.parse(JSON.stringify(stored)) } });
    expect(msg.message?.extendedTextMessage?.contextInfo).toMatchObject({ stanzaId: '3EB0TEXT0001', participant: PEER, quotedMessage: { conversation: 'hello' } });

    const inGroup = toProviderMessage(fixture('group'))!.raw;
    const reply = await generate({ to: GROUP, media: media({ caption: 'pic' }), replyTo: { id: '3EB0GRP00001', chatJid: GROUP, raw: inGroup } });
    expect(reply.msg.message?.imageMessage?.contextInfo).toMatchObject({ stanzaId: '3EB0GRP00001', participant: '5511666666666@s.whatsapp.net' });

    // A media message quoted from its raw (bytes stored as base64) still encodes.
    const quotedImage = toProviderMessage(fixture('image'))!.raw;
    const onImage = await generate({ to: PEER, text: 'nice', replyTo: { id: '3EB0IMG00001', chatJid: PEER, raw: JSON.parse(JSON.stringify(quotedImage)) } });
    expect(onImage.msg.message?.extendedTextMessage?.contextInfo?.quotedMessage?.imageMessage?.caption).toBe('pic');
  });

  it('without a stored raw the reply goes out unquoted rather than failing', () => {
    expect(toBaileysSend({ to: PEER, text: 'x', replyTo: { id: 'gone', chatJid: PEER, raw: null } }).options).toEqual({});
  });
});
