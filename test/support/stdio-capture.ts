/**
 * Captures whatever reaches stdout, stderr or the console while it is active: anything a library
 * prints outside the app's logger, so that secret scans cover it too.
 */
export class StdioCapture {
  readonly chunks: string[] = [];
  private readonly restores: Array<() => void> = [];

  start(): this {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write;
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
      }) as typeof stream.write;
      this.restores.push(() => (stream.write = original));
    }
    const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
    for (const method of methods) {
      const original = console[method];
      console[method] = (...args: unknown[]) => {
        this.chunks.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
        original.apply(console, args);
      };
      this.restores.push(() => (console[method] = original));
    }
    return this;
  }

  stop(): void {
    for (const restore of this.restores.splice(0).reverse()) restore();
  }

  text(): string {
    return this.chunks.join('\n');
  }
}
