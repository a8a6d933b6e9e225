import { chatwootText, contactName, type EventMessage, signed, toWhatsAppMarkdown, withGroupHeader } from './formatting.js';

const message = (overrides: Partial<EventMessage> = {}): EventMessage => ({
  id: 'wamid.1', direction: 'incoming', fromMe: false,
  chat: { jid: '5511988887777@s.whatsapp.net', phone: '+5511988887777', name: 'Maria', type: 'private' },
  sender: { jid: '5511988887777@s.whatsapp.net', phone: '+5511988887777', name: 'Maria' },
  type: 'text', content: { text: 'Olá' }, media: null, replyTo: null, target: null,
  ...overrides,
});

const group = { jid: '120363000000000001@g.us', phone: null, name: 'Vendas', type: 'group' as const };

describe('routing text (SPEC-MESSAGING §11)', () => {
  it('markdown: **b** → *b*, *i* and _i_ → _i_, ~~s~~ → ~s~', () => {
    expect(toWhatsAppMarkdown('**bold** and *italic* and _also_ and ~~gone~~')).toBe('*bold* and _italic_ and _also_ and ~gone~');
    expect(toWhatsAppMarkdown('**a *b* c**')).toBe('*a *b* c*');
    expect(toWhatsAppMarkdown('2 * 3 * 4 and a*b')).toBe('2 * 3 * 4 and a*b');
  });

  it('signMessages: *<agent>:* and a newline first; nothing without the flag or a name', () => {
    expect(signed('Olá', 'Ana', true)).toBe('*Ana:*\nOlá');
    expect(signed('Olá', 'Ana', false)).toBe('Olá');
    expect(signed('Olá', null, true)).toBe('Olá');
  });

  it('location: 📍 <lat>,<lng> and a maps link; contacts: names and numbers', () => {
    expect(chatwootText(message({ type: 'location', content: { latitude: -23.5, longitude: -46.6 } })))
      .toBe('📍 -23.5,-46.6\nhttps://www.google.com/maps?q=-23.5,-46.6');
    expect(chatwootText(message({ type: 'location', content: { latitude: 1, longitude: 2, name: 'Loja', address: 'Rua A' } })))
      .toBe('📍 1,2 (Loja, Rua A)\nhttps://www.google.com/maps?q=1,2');
    expect(chatwootText(message({ type: 'contacts', content: { contacts: [{ name: 'Bob', phones: ['+5511', '+5512'] }, { name: 'Eve', phones: [] }] } })))
      .toBe('Bob\n+5511\n+5512\n\nEve');
  });

  it('reaction: the emoji; edit: ✏️ <new text>; media: the caption', () => {
    expect(chatwootText(message({ type: 'reaction', content: { emoji: '👍' } }))).toBe('👍');
    expect(chatwootText(message({ type: 'edit', content: { text: 'fixed' } }))).toBe('✏️ fixed');
    expect(chatwootText(message({ type: 'image', content: { caption: 'pic' } }))).toBe('pic');
    expect(chatwootText(message({ type: 'audio', content: {} }))).toBe('');
  });

  it('groups: **<sender> (+<phone>):** and a newline; the contact is "<subject> (GROUP)"', () => {
    const m = message({ chat: group, sender: { jid: '5511988887777@s.whatsapp.net', phone: '+5511988887777', name: 'Maria' } });
    expect(withGroupHeader(m, 'oi')).toBe('**Maria (+5511988887777):**\noi');
    expect(withGroupHeader(message({ chat: group, sender: { jid: 'x@lid', phone: '+5511', name: null } }), 'oi')).toBe('**+5511:**\noi');
    expect(withGroupHeader(message(), 'oi')).toBe('oi');
    expect(contactName(m)).toBe('Vendas (GROUP)');
    expect(contactName(message())).toBe('Maria');
    expect(contactName(message({ chat: { jid: '5511@s.whatsapp.net', phone: '+5511', name: null, type: 'private' } }))).toBe('+5511');
  });
});
