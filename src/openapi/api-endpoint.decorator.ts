import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOperation, ApiResponse, ApiSchema, ApiSecurity, type ApiSchemaOptions } from '@nestjs/swagger';
import type { TokenKind } from '../common/auth/auth.guard.js';
import { errorEnvelope } from '../common/errors/envelope.js';
import { HttpError, Messages } from '../common/errors/http-error.js';
import { JsonBodyPipe } from '../common/http/json-body.pipe.js';
import { BodyRejection } from '../common/http/json-body.js';
import { ErrorEnvelope } from './error-envelope.dto.js';

/** One documented error answer of a route: a row of SPEC's error lists. `key` names the example. */
export interface ErrorDoc {
  status: number;
  key: string;
  message: string;
  when: string;
}

/** Security schemes of the document (declared in openapi.ts, required here). */
export const SecuritySchemes = {
  token: 'token',
  bearer: 'bearer',
  adminToken: 'adminToken',
  adminBearer: 'adminBearer',
} as const;

/** Headers on every response under /api, errors included (SPEC §2). */
const API_RESPONSE_HEADERS = ['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];

/** Request ids a client may choose (SPEC §2); anything else is replaced by a generated one. */
export const CLIENT_REQUEST_ID_PATTERN = '^[A-Za-z0-9._-]{1,128}$';

function headerRefs(names: string[]): Record<string, { $ref: string }> {
  return Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}

export interface EndpointDoc {
  summary: string;
  description: string;
  auth: TokenKind;
  /** The success answer: a JSON body of `type`, or (`binary`) a file of any media type. */
  success: { status: number; type: Type<unknown>; description: string; binary?: boolean };
  /** The route's own errors; the 401, 429 and 500 every /api route shares are added here. */
  errors: ErrorDoc[];
  /** Schemas referenced only through `oneOf`/`$ref`. */
  extraModels?: Type<unknown>[];
}

/** Everything the OpenAPI document says about one /api route, every error with its exact message as an example. */
export function ApiEndpoint(doc: EndpointDoc): MethodDecorator {
  const errors = [...doc.errors, ...commonErrors(doc.auth)];
  const byStatus = new Map<number, ErrorDoc[]>();
  for (const error of errors) byStatus.set(error.status, [...(byStatus.get(error.status) ?? []), error]);
  const security =
    doc.auth === 'admin'
      ? [ApiSecurity(SecuritySchemes.adminToken), ApiSecurity(SecuritySchemes.adminBearer)]
      : [ApiSecurity(SecuritySchemes.token), ApiSecurity(SecuritySchemes.bearer)];
  return applyDecorators(
    ApiOperation({ summary: doc.summary, description: `${doc.description}\n\n${AUTH_NOTE[doc.auth]}` }),
    ...security,
    ApiHeader({
      name: 'X-Request-Id',
      required: false,
      description: 'Echoed in the response when it matches the pattern; otherwise the server generates one.',
      schema: { type: 'string', pattern: CLIENT_REQUEST_ID_PATTERN },
    }),
    doc.success.binary
      ? ApiResponse({
          status: doc.success.status,
          description: doc.success.description,
          headers: headerRefs(API_RESPONSE_HEADERS),
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        })
      : ApiResponse({
          status: doc.success.status,
          type: doc.success.type,
          description: doc.success.description,
          headers: headerRefs(API_RESPONSE_HEADERS),
        }),
    ...[...byStatus].map(([status, list]) => errorResponse(status, list)),
    ...(doc.extraModels ? [ApiExtraModels(...doc.extraModels)] : []),
  );
}

const AUTH_NOTE: Record<TokenKind, string> = {
  admin: 'Auth: the `ADMIN_TOKEN` of the server (`token` header or `Authorization: Bearer`).',
  account: 'Auth: a TokenAccount (`token` header or `Authorization: Bearer`); a TokenInstance gets `401`.',
  any: 'Auth: a TokenAccount or a TokenInstance (`token` header or `Authorization: Bearer`).',
  messaging:
    'Auth: a TokenAccount, a TokenInstance, or the callback token of the instance\'s chatwoot integration (`token` header or `Authorization: Bearer`).',
};

function errorResponse(status: number, list: ErrorDoc[]) {
  const keys = new Set(list.map((e) => e.key));
  if (keys.size !== list.length) throw new Error(`duplicate error example key for status ${status}`);
  return ApiResponse({
    status,
    type: ErrorEnvelope,
    description: list.map((e) => `\`${e.message}\` — ${e.when}`).join('\n\n'),
    examples: Object.fromEntries(list.map((e) => [e.key, { summary: e.when, value: errorEnvelope(e.message) }])),
    headers: headerRefs(status === 429 ? [...API_RESPONSE_HEADERS, 'Retry-After'] : API_RESPONSE_HEADERS),
  });
}

/** The answers of SPEC §2 that every /api route can give. */
function commonErrors(auth: TokenKind): ErrorDoc[] {
  const unauthorized: Record<TokenKind, string> = {
    admin: 'the token is missing or is not the ADMIN_TOKEN',
    account: 'the token is missing or unknown, or is a TokenInstance (this route takes a TokenAccount only)',
    any: 'the token is missing or unknown (an integration\'s callback token too: it is valid only on the stream, send and media routes)',
    messaging: 'the token is missing or unknown',
  };
  return [
    { status: 401, key: 'invalidToken', message: Messages.invalidToken, when: unauthorized[auth] },
    {
      status: 429,
      key: 'rateLimited',
      message: Messages.rateLimited,
      when: "the token's budget for the current minute is spent (checked before auth)",
    },
    {
      status: 500,
      key: 'internal',
      message: Messages.internal,
      when: 'an unexpected failure (e.g. the database is down); the detail goes to the log only',
    },
  ];
}

export interface InvalidBodySample {
  key: string;
  when: string;
  body: unknown;
}

/**
 * The body errors of a route (SPEC §2–§5). Each message is computed by running the route's own
 * pipe on a sample, so that the document cannot drift from the validation rules.
 */
export function bodyErrors<T extends object>(
  dto: Type<T>,
  prefix: string,
  samples: InvalidBodySample[],
  ignore?: (key: string) => boolean,
): ErrorDoc[] {
  const pipe = new JsonBodyPipe(dto, prefix, ignore);
  const rejected = (body: unknown): HttpError => {
    try {
      pipe.transform(body);
    } catch (err) {
      if (err instanceof HttpError) return err;
      throw err;
    }
    throw new Error(`documented invalid body of ${dto.name} is accepted: ${JSON.stringify(body)}`);
  };
  const doc = (key: string, when: string, body: unknown): ErrorDoc => {
    const { status, publicMessage } = rejected(body);
    return { status, key, message: publicMessage, when };
  };
  return [
    ...samples.map((s) => doc(s.key, s.when, s.body)),
    doc('malformedJson', 'the body is not valid JSON', new BodyRejection('malformed')),
    doc('notAnObject', 'the body is JSON but not an object', []),
    doc('contentType', 'the Content-Type is not application/json', new BodyRejection('content_type')),
    doc('tooLarge', 'the body is larger than 64 KiB', new BodyRejection('too_large')),
  ];
}

/** A body schema with `additionalProperties: false`, as the validation refuses unknown fields (ApiSchema's type omits the option). */
export function ClosedSchema(options: { name: string; description: string }): ClassDecorator {
  return ApiSchema({ ...options, additionalProperties: false } as ApiSchemaOptions);
}
