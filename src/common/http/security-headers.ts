import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Helmet's headers on every answer (SPEC §7: `X-Content-Type-Options: nosniff` among them). Two
 * of its defaults are left out: a CSP, which only the HTML of /docs needs ({@link docsContentSecurityPolicy}),
 * and HSTS, which belongs to whatever terminates TLS in front of this plain-HTTP server.
 */
export function securityHeaders(): RequestHandler {
  return helmet({ contentSecurityPolicy: false, strictTransportSecurity: false });
}

/**
 * Swagger UI at /docs: its scripts, styles and images come from this server only (its assets are
 * served from node_modules); Swagger UI sets inline styles and draws data: SVG icons. Helmet's
 * `upgrade-insecure-requests` is dropped: over plain HTTP it would send the page's assets to https.
 */
export function docsContentSecurityPolicy(): RequestHandler {
  return helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
}
