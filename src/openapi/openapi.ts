import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AccountsModule } from '../accounts/accounts.module.js';
import { AppModule } from '../app.module.js';
import { ChatwootModule } from '../chatwoot/chatwoot.module.js';
import { type AppConfig, loadConfig } from '../config/config.js';
import { EventsModule } from '../events/events.module.js';
import { InstancesModule } from '../instances/instances.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { CLOUD_WEBHOOK_PATH } from '../whatsapp/cloud/cloud-webhook.controller.js';
import { WhatsAppModule } from '../whatsapp/whatsapp.module.js';
import { CLIENT_REQUEST_ID_PATTERN, SecuritySchemes } from './api-endpoint.decorator.js';

const INFO_DESCRIPTION = `RyzeAPI-compatible server: accounts (self-hosting), instances with their WhatsApp connection (Baileys or
Meta's Cloud API), sending messages, each instance's event stream, and the Chatwoot integration.

## Authentication
Every \`/api\` route takes a token in the \`token\` header; \`Authorization: Bearer <token>\` is accepted too
(when both are sent, the \`token\` header is used). Two kinds: a **TokenAccount** (all instances of the
account) and a **TokenInstance** (one instance, issued when it is created). The admin route takes the
server's \`ADMIN_TOKEN\` and does not exist (\`404\` \`Not found\`) when \`ADMIN_TOKEN\` is not set.
A TokenInstance used on another instance's path (chatwoot routes) gets \`403\`; an instance of another
account is simply not found.

## Rate limit
Counted per token value presented (per client address without a token), in fixed one-minute windows,
in two budgets: \`POST /api/instance/new\` (\`RATE_LIMIT_CREATE_PER_MINUTE\`, default 20) and every other
\`/api\` route (\`RATE_LIMIT_PER_MINUTE\`, default 100). Every \`/api\` response, errors included, carries
\`X-RateLimit-Limit\` (the budget), \`X-RateLimit-Remaining\` (what is left in the window) and
\`X-RateLimit-Reset\` (Unix seconds at which the window ends). Over budget: \`429\`
\`Rate limit exceeded. Try again later.\` with \`Retry-After\` (seconds).

## Order of checks
rate limit (\`429\`) → auth (\`401\`) → chatwoot module enabled (\`503\`, chatwoot routes) → body (\`400\`,
\`413\`) → instance and ownership (\`404\`/\`403\`) → the operation.

## Errors
Every error has the body \`{"success": false, "error": {"message": "<message>"}}\`; each response below
lists its exact messages as examples. \`<detail>\` parts of chatwoot messages carry the bridge's text
unchanged. An unexpected failure is \`500\` \`Internal server error\` (the detail is logged, never sent).
A body error names the field and the rule; several problems are joined with \`; \`, unknown fields
(\`unknown field <name>\`) last. Unknown routes answer \`404\` \`Not found\`.

## Requests and responses
Bodies are JSON (\`Content-Type: application/json\`), at most 64 KiB (\`POST /api/message/media\`: \`MEDIA_MAX_BYTES\` × 4/3). Every response carries
\`X-Request-Id\`: the client's own value when it matches \`${CLIENT_REQUEST_ID_PATTERN}\`, otherwise a
generated one. Timestamps are RFC 3339 in UTC, to the second (\`2026-04-20T10:15:30Z\`).
The Chatwoot API token is never returned by any route.`;

/** The modules whose routes the document describes: every /api route (SPEC §7), the event stream and Meta's webhook. */
const DOCUMENTED_MODULES = [AccountsModule, InstancesModule, ChatwootModule, WhatsAppModule, MessagesModule, EventsModule];

const tokenDescription =
  'A TokenAccount or a TokenInstance (which routes take which is said on each operation).';
const adminDescription = 'The server\'s ADMIN_TOKEN (admin routes only).';

/**
 * The OpenAPI document of the application's /api routes, key-sorted so that its serialisation is
 * deterministic (the committed openapi.json is compared byte for byte).
 */
function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('RyzeAPI-compatible server')
    .setDescription(INFO_DESCRIPTION)
    // The version of the HTTP contract (SPEC.md), not of the package.
    .setVersion('0.1.0')
    .addServer('/', 'This server')
    .addTag('accounts', 'Self-hosting: how accounts are made (SPEC §3)')
    .addTag('instances', 'Instances (SPEC §4)')
    .addTag('chatwoot', 'The Chatwoot integration of an instance (SPEC §5)')
    .addTag('messages', 'Sending messages, and the media of stored messages (SPEC-MESSAGING §9)')
    .addTag('events', "An instance's durable event stream over a WebSocket (SPEC-MESSAGING §10)")
    .addTag('webhooks', "Meta's webhooks for Cloud API instances (SPEC-MESSAGING §8); called by Meta, not by clients")
    // addSecurity rather than addBearerAuth, which would claim a JWT: tokens are opaque strings.
    .addSecurity(SecuritySchemes.token, { type: 'apiKey', in: 'header', name: 'token', description: tokenDescription })
    .addSecurity(SecuritySchemes.bearer, { type: 'http', scheme: 'bearer', description: tokenDescription })
    .addSecurity(SecuritySchemes.adminToken, { type: 'apiKey', in: 'header', name: 'token', description: adminDescription })
    .addSecurity(SecuritySchemes.adminBearer, { type: 'http', scheme: 'bearer', description: adminDescription })
    .build();
  config.components = { ...config.components, headers: RESPONSE_HEADERS };
  // DocumentBuilder fills what the project has not got (no contact; a licence without a URL).
  delete config.info.contact;
  config.info.license = { name: 'Apache-2.0', identifier: 'Apache-2.0' } as typeof config.info.license;
  const document = SwaggerModule.createDocument(app, config, {
    include: DOCUMENTED_MODULES,
    // SPEC/STYLE: the handler name is the operationId (`setChatwoot`, `getChatwootStatus`…).
    operationIdFactory: (_controller, method) => method,
    autoTagControllers: false,
  });
  // Meta's webhook takes no token: said explicitly, as OpenAPI's empty security requirement.
  for (const operation of Object.values(document.paths[CLOUD_WEBHOOK_PATH] ?? {})) {
    if (operation && typeof operation === 'object' && 'responses' in operation) (operation as { security?: unknown[] }).security = [];
  }
  return sortKeys(document);
}

const RESPONSE_HEADERS = {
  'X-Request-Id': {
    description: "The request's id: the client's own X-Request-Id when valid, otherwise a generated one.",
    schema: { type: 'string' },
  },
  'X-RateLimit-Limit': {
    description: "The budget of the route's bucket per minute.",
    schema: { type: 'integer' },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the current one-minute window.',
    schema: { type: 'integer' },
  },
  'X-RateLimit-Reset': {
    description: 'When the current window ends (Unix seconds).',
    schema: { type: 'integer' },
  },
  'Retry-After': {
    description: 'Seconds until the window ends.',
    schema: { type: 'integer' },
  },
};

/**
 * `GET /openapi.json` and Swagger UI at `GET /docs` (SPEC §7), outside /api. Swagger UI's assets
 * come from node_modules (no CDN), so the page works offline.
 */
export function setupOpenApi(app: NestExpressApplication, config: AppConfig): void {
  if (!config.roles.includes('api')) return;
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
    customSiteTitle: 'RyzeAPI-compatible server — API',
    // Swagger UI would otherwise ask an online validator about the document.
    swaggerOptions: { validatorUrl: null },
  });
}

/** The document as committed in openapi.json, from the composed application (`preview`: nothing is instantiated or connects). */
export async function renderOpenApiDocument(): Promise<string> {
  const config = loadConfig({
    ROLES: 'api',
    ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
    BRIDGE_URL: 'http://bridge.invalid',
    BRIDGE_TOKEN: 'openapi-generation',
  });
  const app = await NestFactory.create(AppModule.forRoot(config), { preview: true, logger: false, abortOnError: false });
  try {
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

/** A deep copy with every object's keys in code-point order; arrays keep their order. */
function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v)) as T;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)])) as T;
  }
  return value;
}
