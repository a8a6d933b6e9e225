import { WebSocket } from 'ws';

export interface StreamFrame {
  event: string;
  seq: number;
  data: Record<string, any>;
  instanceData: { baseUrl: string; instance: string };
}

/** A WebSocket client of `/ws/:instance` that collects every frame it receives. */
export class StreamClient {
  readonly frames: StreamFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  /** The headers of the `101`. */
  upgradeHeaders: Record<string, string | string[] | undefined> = {};
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as StreamFrame);
      this.notify();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.notify();
    });
  }

  /** Opens a stream; rejects with the HTTP answer when the server refuses the upgrade. */
  static open(url: string, path: string, headers: Record<string, string> = {}): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url.replace(/^http/, 'ws') + path, { headers });
      const client = new StreamClient(ws);
      ws.once('upgrade', (res) => (client.upgradeHeaders = res.headers));
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => reject(new RefusedUpgrade(res.statusCode ?? 0, text, res.headers as Record<string, string>)));
      });
      ws.once('error', (err) => reject(err));
    });
  }

  get seqs(): number[] {
    return this.frames.map((f) => f.seq);
  }

  /** Resolves once `check` holds, or rejects after `ms`. */
  until(check: (c: StreamClient) => boolean, ms = 10_000): Promise<void> {
    if (check(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stream condition not met within ${ms} ms (frames: ${this.frames.length}, closed: ${JSON.stringify(this.closed)})`)), ms);
      const test = () => {
        if (!check(this)) return this.waiters.push(test);
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(test);
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.ws.close();
    return this.until((c) => c.closed !== null);
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export class RefusedUpgrade extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    readonly headers: Record<string, string>,
  ) {
    super(`upgrade refused: ${status} ${text}`);
  }

  get body(): unknown {
    return JSON.parse(this.text);
  }
}
