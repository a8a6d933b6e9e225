import type { AnyMessageContent, MiscMessageGenerationOptions } from '@whiskeysockets/baileys';
import type { OutgoingMessage } from '../whatsapp.port.js';
import { fromRaw } from './baileys-messages.js';

export interface BaileysSend {
  jid: string;
  content: AnyMessageContent;
  options: MiscMessageGenerationOptions;
}

/**
 * The port's OutgoingMessage (SPEC-MESSAGING §9) → what `sock.sendMessage(jid, content, options)`
 * takes. Media goes as bytes (a Buffer): Baileys' `{url}` form would read any local path.
 */
export function toBaileysSend(message: OutgoingMessage): BaileysSend {
  const options: MiscMessageGenerationOptions = {};
  // Baileys quotes with the full message (key AND content); without the stored raw there is
  // nothing to quote, and the message goes out as a plain one rather than failing.
  if (message.replyTo?.raw) options.quoted = fromRaw(message.replyTo.raw);
  return { jid: message.to, content: contentOf(message), options };
}

function contentOf(message: OutgoingMessage): AnyMessageContent {
  if (message.revoke) return { delete: { remoteJid: message.to, fromMe: true, id: message.revoke } };
  const m = message.media;
  if (!m) {
    const text = message.text ?? '';
    // null turns Baileys' link preview off; asked for, Baileys tries the optional link-preview-js,
    // which is not installed, and sends the text without one (a warning in its log).
    return message.linkPreview ? { text } : { text, linkPreview: null };
  }
  const caption = m.caption ?? message.text ?? undefined;
  const withCaption = caption ? { caption } : {};
  switch (m.type) {
    case 'image':
      return { image: m.bytes, mimetype: m.mimetype, ...withCaption };
    case 'video':
      return { video: m.bytes, mimetype: m.mimetype, ...withCaption };
    case 'audio':
      return { audio: m.bytes, mimetype: m.mimetype, ptt: m.voice };
    case 'document':
      return { document: m.bytes, mimetype: m.mimetype, fileName: m.fileName ?? 'file', ...withCaption };
  }
}
