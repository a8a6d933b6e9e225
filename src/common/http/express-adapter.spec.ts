import type express from 'express';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { PrebornExpressAdapter } from './express-adapter.js';

/** The adapter's server, listening on loopback, with one Express route and a look before Express. */
async function serve(adapter: PrebornExpressAdapter): Promise<{ url: string; seen: boolean[]; close: () => Promise<void> }> {
  adapter.initHttpServer({});
  const app = adapter.getInstance<express.Express>();
  app.get('/things/:id', (req, res) => {
    res.status(201).set('X-Thing', req.params.id).json({ id: req.params.id, header: req.get('x-probe'), ip: req.ip, app: req.app === app });
  });
  const server = adapter.getHttpServer() as http.Server;
  // Before Express handles it: were the objects born with the application's prototypes?
  const seen: boolean[] = [];
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push(Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('PrebornExpressAdapter', () => {
  it('has node:http create requests and responses with Express’s prototypes, so Express need not re-parent them', async () => {
    const server = await serve(new PrebornExpressAdapter());
    try {
      await fetch(`${server.url}/things/a`);
      await fetch(`${server.url}/things/b`);
      expect(server.seen).toEqual([true, true]);
    } finally {
      await server.close();
    }
  });

  it('keeps Express’s request and response API: params, headers, ip, app, status, set and json', async () => {
    const server = await serve(new PrebornExpressAdapter());
    try {
      const res = await fetch(`${server.url}/things/42`, { headers: { 'x-probe': 'yes' } });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-thing')).toBe('42');
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toEqual({ id: '42', header: 'yes', ip: '127.0.0.1', app: true });
    } finally {
      await server.close();
    }
  });

  it.each(['httpsOptions', 'forceCloseConnections', 'return503OnClosing'] as const)('refuses %s rather than ignoring it', (option) => {
    const options = { [option]: option === 'httpsOptions' ? {} : true };
    expect(() => new PrebornExpressAdapter().initHttpServer(options)).toThrow(`PrebornExpressAdapter does not support ${option}`);
  });
});
