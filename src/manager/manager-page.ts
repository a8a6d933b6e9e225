import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Express, Request, Response } from 'express';

/** Where the operator page is served; it is HTML for people, not part of the API (no OpenAPI entry). */
export const MANAGER_PATH = '/manager';

/**
 * The page may load only its own script and stylesheet, show the QR code that the API returns as a
 * `data:` PNG, and talk to this origin (the /api routes and the /ws stream): nothing inline, nothing
 * third-party, no framing, no form posted anywhere (the forms are handled by the script).
 */
export const MANAGER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface Asset {
  body: Buffer;
  type: string;
}

/**
 * `GET /manager` and its assets, from the Vite build in `dir`, read once at boot (a few kilobytes).
 * The headers are set here, on these responses only: the rest of the server keeps its own.
 * Without a build (a checkout where `npm run build` has not run) the routes are not mounted and a
 * warning says so.
 */
export function mountManagerPage(app: Express, dir: string): void {
  const logger = new Logger('Manager');
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) {
    logger.warn(`the manager page is not built (no ${indexFile}): run npm run build to serve ${MANAGER_PATH}`);
    return;
  }
  const index = readFileSync(indexFile);
  const assets = new Map<string, Asset>();
  const assetsDir = join(dir, 'assets');
  for (const name of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
    const type = TYPES[extname(name)];
    if (type) assets.set(name, { body: readFileSync(join(assetsDir, name)), type });
  }

  const send = (res: Response, asset: Asset, cache: string) => {
    res.setHeader('Content-Security-Policy', MANAGER_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', cache);
    res.type(asset.type).send(asset.body);
  };
  const page: Asset = { body: index, type: 'text/html; charset=utf-8' };
  // Routes, not middleware: the access log and the metrics label them by template.
  app.get(MANAGER_PATH, (_req: Request, res: Response) => send(res, page, 'no-cache'));
  app.get(`${MANAGER_PATH}/assets/:file`, (req: Request, res: Response, next: () => void) => {
    const asset = assets.get(String(req.params.file));
    // An unknown file goes on to the server's own 404 envelope.
    if (!asset) return next();
    // Vite puts a content hash in every asset name: a name never changes content.
    send(res, asset, 'public, max-age=31536000, immutable');
  });
}
