/** An event of the stream (SPEC-MESSAGING §10), as much of it as the page shows. */
export interface StreamEvent {
  event: string;
  seq: number;
  data: Record<string, any>;
}

/** One line per event: what happened, to whom, in a few words. */
export function describeEvent(e: StreamEvent): string {
  const d = e.data ?? {};
  switch (e.event) {
    case 'instance.state':
      return `${d.status}${d.reason && d.reason !== d.status ? ` (${d.reason})` : ''}`;
    case 'message.status':
      return `${d.id}: ${d.status}${d.error ? ` — ${d.error}` : ''}`;
    case 'message.exchange': {
      const m = d.message ?? {};
      const who = m.chat?.phone ?? m.chat?.jid ?? '?';
      const name = m.chat?.name ? ` ${m.chat.name}` : '';
      const c = m.content ?? {};
      const text = c.text ?? c.caption ?? c.emoji ?? (m.media ? m.media.fileName ?? m.media.mimetype : '') ?? '';
      return `${m.direction === 'outgoing' ? 'to' : 'from'} ${who}${name} [${m.type}] ${text}`.trimEnd();
    }
    default:
      return JSON.stringify(d);
  }
}
