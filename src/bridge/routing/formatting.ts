/**
 * Text conversions of routing (SPEC-MESSAGING §11): what a WhatsApp message becomes in Chatwoot,
 * and an agent's markdown as WhatsApp formats it.
 */

/** The parts of a `message.exchange` message that formatting reads. */
export interface EventMessage {
  id: string;
  direction: 'incoming' | 'outgoing';
  fromMe: boolean;
  chat: { jid: string; phone: string | null; name: string | null; type: 'private' | 'group' };
  sender: { jid: string; phone: string | null; name: string | null };
  type: string;
  content: {
    text?: string; caption?: string; emoji?: string; latitude?: number; longitude?: number; name?: string; address?: string;
    contacts?: Array<{ name: string; phones: string[] }>;
  };
  media: { mimetype: string; fileName: string | null; url?: string } | null;
  replyTo: string | null;
  target: string | null;
}

/** The body of the Chatwoot message for a WhatsApp message (before the group header). */
export function chatwootText(m: EventMessage): string {
  const c = m.content;
  switch (m.type) {
    case 'text':
      return c.text ?? '';
    case 'location': {
      const at = `${c.latitude},${c.longitude}`;
      const label = [c.name, c.address].filter(Boolean).join(', ');
      return `📍 ${at}${label ? ` (${label})` : ''}\nhttps://www.google.com/maps?q=${at}`;
    }
    case 'contacts':
      return (c.contacts ?? []).map((k) => [k.name, ...k.phones].join('\n')).join('\n\n');
    case 'reaction':
      return c.emoji ?? '';
    case 'edit':
      return `✏️ ${c.text ?? ''}`;
    default:
      return c.caption ?? c.text ?? '';
  }
}

/** SPEC-MESSAGING §11 "Groups": each message starts with its sender. */
export function withGroupHeader(m: EventMessage, text: string): string {
  if (m.chat.type !== 'group') return text;
  const who = m.sender.name ?? m.sender.phone ?? m.sender.jid;
  const phone = m.sender.phone ? ` (${m.sender.phone})` : '';
  return `**${who}${m.sender.name ? phone : ''}:**\n${text}`;
}

/** The contact's name: the profile name, else `+<digits>`; a group's subject with ` (GROUP)`. */
export function contactName(m: EventMessage): string {
  if (m.chat.type === 'group') return `${m.chat.name ?? m.chat.jid} (GROUP)`;
  return m.chat.name ?? m.chat.phone ?? m.chat.jid;
}

/**
 * Chatwoot's markdown as WhatsApp formats it: `**b**` → `*b*`, `*i*`/`_i_` → `_i_`, `~~s~~` → `~s~`.
 * Bold is taken out first so that its asterisks are not read as italics.
 */
export function toWhatsAppMarkdown(text: string): string {
  const bold: string[] = [];
  let out = text.replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, (_, inner: string) => `\u0000${bold.push(inner) - 1}\u0000`);
  out = out.replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])/g, '$1_$2_');
  out = out.replace(/~~(?=\S)([\s\S]*?\S)~~/g, '~$1~');
  return out.replace(/\u0000(\d+)\u0000/g, (_, i: string) => `*${bold[Number(i)]}*`);
}

/** SPEC-MESSAGING §11: with `signMessages`, `*<agent name>:*` and a newline first. */
export function signed(text: string, agent: string | null, sign: boolean): string {
  return sign && agent ? `*${agent}:*\n${text}` : text;
}
