import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { MANAGER_CSP, mountManagerPage } from './manager-page.js';

/** The page's routes on a bare Express app (the e2e suite serves the real build in a browser). */
describe('mountManagerPage', () => {
  let dir: string;
  let server: Server | null = null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'manager-page-'));
  });
  afterEach(async () => {
    if (server) await new Promise((resolve) => server!.close(resolve));
    server = null;
    rmSync(dir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  async function serve(): Promise<string> {
    const app = new ExpressAdapter().getInstance();
    mountManagerPage(app, dir);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('serves index.html at /manager and /manager/, and the build\'s assets, each with the CSP', async () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>m</title>');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets', 'index-abc.css'), 'body{}');
    writeFileSync(join(dir, 'assets', 'notes.txt'), 'not served');
    const url = await serve();
    for (const path of ['/manager', '/manager/']) {
      const res = await fetch(url + path);
      expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([200, 'text/html; charset=utf-8', '<!doctype html><title>m</title>']);
      expect(res.headers.get('content-security-policy')).toBe(MANAGER_CSP);
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    const js = await fetch(`${url}/manager/assets/index-abc.js`);
    expect([js.status, js.headers.get('content-type'), js.headers.get('content-security-policy'), js.headers.get('x-content-type-options')])
      .toEqual([200, 'text/javascript; charset=utf-8', MANAGER_CSP, 'nosniff']);
    const css = await fetch(`${url}/manager/assets/index-abc.css`);
    expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
    // Only the build's own kinds of files, and only by their exact name.
    expect((await fetch(`${url}/manager/assets/notes.txt`)).status).toBe(404);
    expect((await fetch(`${url}/manager/assets/..%2Findex.html`)).status).toBe(404);
    expect((await fetch(`${url}/manager/index.html`)).status).toBe(404);
  });

  it('without a build: nothing mounted, and a warning that says how to build it', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const url = await serve();
    expect((await fetch(`${url}/manager`)).status).toBe(404);
    expect(warn).toHaveBeenCalledWith(`the manager page is not built (no ${join(dir, 'index.html')}): run npm run build to serve /manager`);
  });
});
