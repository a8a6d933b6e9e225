import type { Express, Request } from 'express';

/** The label of a request that no route matched (unknown path or method). */
const UNMATCHED_ROUTE = 'unmatched';

interface RouteLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  match(path: string): unknown;
}

/**
 * The route template a request was (or would have been, for a 429 answered before routing) served
 * by, for metrics and access logs: never the raw path, which holds instance names and queries.
 */
export function routeTemplate(req: Request, app: Express): string {
  if (req.route?.path !== undefined) return `${req.baseUrl ?? ''}${String(req.route.path)}`;
  const method = req.method.toLowerCase();
  const path = (req.originalUrl ?? req.url).split('?')[0];
  const stack = (app.router as unknown as { stack?: RouteLayer[] }).stack ?? [];
  for (const layer of stack) {
    const route = layer.route;
    if (!route || !(route.methods[method] || route.methods._all || (method === 'head' && route.methods.get))) continue;
    if (matches(layer, path)) return String(route.path);
  }
  return UNMATCHED_ROUTE;
}

/**
 * A path whose parameter is not valid %-encoding (`/api/chatwoot/list/%E0%A4%A`) makes the router's
 * match throw a URIError. This runs in the access log's `close` listener, where a throw would be an
 * uncaught exception that ends the process: such a path matches no route.
 */
function matches(layer: RouteLayer, path: string): boolean {
  try {
    return Boolean(layer.match(path));
  } catch {
    return false;
  }
}
