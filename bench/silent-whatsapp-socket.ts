/**
 * BAILEYS_SOCKET_MODULE for (11b) of bench/capacity.ts: Baileys' real socket (the server's own
 * factory, src/whatsapp/baileys/baileys-socket.ts), pointed at BENCH_SILENT_WHATSAPP_URL, a
 * loopback server that accepts the TCP connection and never answers. Each socket then stays in its
 * WebSocket handshake with everything Baileys builds before it (the WebSocket client, the noise
 * handler, the Signal repository, the event buffer, its caches): what a real connection costs at
 * least, without reaching WhatsApp. The connect timeout is raised far past a bench run, so that
 * the sockets stay put instead of failing and reconnecting while they are measured.
 */
import { makeBaileysSocketFactory, type BaileysSocketFactory } from '../src/whatsapp/baileys/baileys-socket.js';

const HOLD_MS = 60 * 60_000;

export default function createFactory(): BaileysSocketFactory {
  const url = process.env.BENCH_SILENT_WHATSAPP_URL;
  if (!url) throw new Error('BENCH_SILENT_WHATSAPP_URL is not set');
  return makeBaileysSocketFactory({ waWebSocketUrl: url, connectTimeoutMs: HOLD_MS });
}
