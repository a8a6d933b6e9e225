/**
 * Types of the server's HTTP API, generated from openapi.json by openapi-typescript.
 * Do not edit: run `npm run client:generate`. Use with openapi-fetch: createClient<paths>().
 */

export interface paths {
    "/api/admin/account/new": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create an account
         * @description Creates an account and returns its TokenAccount, shown only here. The same is available from the command line (`npm run cli -- account:create <name>`).
         *
         *     Auth: the `ADMIN_TOKEN` of the server (`token` header or `Authorization: Bearer`).
         */
        post: operations["createAccount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/chatwoot/delete/{instance}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Deactivate the chatwoot integration of an instance
         * @description Deletes the bridge integration (30 s; a bridge that fails is retried in the background until it confirms) and the local integration. The Chatwoot inbox and its conversations are preserved unless `deleteInbox=true`.
         *
         *     Auth: a TokenAccount or a TokenInstance (`token` header or `Authorization: Bearer`).
         */
        delete: operations["deleteChatwoot"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/chatwoot/list/{instance}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read the chatwoot integration of an instance
         * @description The local integration, with `status` and `last_error` replaced by the bridge's live values when the bridge answers within 10 s; otherwise (timeout, failure, 404) the local data, without an error.
         *
         *     Auth: a TokenAccount or a TokenInstance (`token` header or `Authorization: Bearer`).
         */
        get: operations["getChatwootStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/chatwoot/set/{instance}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Activate, or update, the chatwoot integration of an instance
         * @description A set replaces the whole configuration (an omitted optional field takes its default, also on an update), then the bridge provisions the integration: created, or updated when the instance already has one. The whole activation has 60 s. On failure nothing changes: a first activation leaves no integration, an update leaves the previous one exactly as it was. `Detail:` in the messages carries the bridge's root-cause text unchanged.
         *
         *     Auth: a TokenAccount or a TokenInstance (`token` header or `Authorization: Bearer`).
         */
        post: operations["setChatwoot"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/instance/delete/{instance}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete an instance
         * @description Removes the instance and its chatwoot integration (the bridge integration is deleted as by `DELETE /api/chatwoot/delete`, the inbox preserved).
         *
         *     Auth: a TokenAccount (`token` header or `Authorization: Bearer`); a TokenInstance gets `401`.
         */
        delete: operations["deleteInstance"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/instance/list": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List instances
         * @description A TokenAccount sees the instances of its account, filtered by `instanceName` (unknown names ignored); a TokenInstance sees only its own instance and the filter is ignored. `chatwoot` is local data only.
         *
         *     Auth: a TokenAccount or a TokenInstance (`token` header or `Authorization: Bearer`).
         */
        get: operations["listInstances"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/instance/new": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create an instance
         * @description Creates an instance of the caller's account and returns its TokenInstance, shown only here. With `chatwootEnabled: true` the chatwoot integration is activated too; an activation failure does not abort the creation: `chatwoot` then says `enabled: false` with the error. Rate limited by its own budget (`RATE_LIMIT_CREATE_PER_MINUTE`).
         *
         *     Auth: a TokenAccount (`token` header or `Authorization: Bearer`); a TokenInstance gets `401`.
         */
        post: operations["createInstance"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ChatwootActivatedResponse: {
            /** @example int_xyz789abc */
            bridge_integration_id: string;
            /** @example suporte */
            instance: string;
            /** @enum {string} */
            message: "chatwoot integration activated";
            /**
             * @example active
             * @enum {string}
             */
            status: "active" | "paused" | "error";
        };
        ChatwootDeactivatedResponse: {
            /** @enum {string} */
            message: "chatwoot integration deactivated";
        };
        ChatwootStatusResponse: {
            /** @example int_xyz789abc */
            bridge_integration_id: string;
            /** @example 5 */
            chatwoot_account_id: number;
            /**
             * Format: uri
             * @example https://chatwoot.example.com
             */
            chatwoot_base_url: string;
            /**
             * @description 0 until known.
             * @example 42
             */
            chatwoot_inbox_id: number;
            /** @example WhatsApp - Orion */
            chatwoot_inbox_name: string;
            /**
             * Format: date-time
             * @example 2026-04-20T10:15:30Z
             */
            created_at: string;
            ignore_groups: boolean;
            /** @example suporte */
            instance_name: string;
            /**
             * @description The bridge's live value when it answered, otherwise the local one; empty when none.
             * @example
             */
            last_error: string;
            reopen_resolved: boolean;
            sign_messages: boolean;
            start_as_pending: boolean;
            /**
             * @description The bridge's live value when it answered, otherwise the local one.
             * @example active
             * @enum {string}
             */
            status: "active" | "paused" | "error";
            /**
             * Format: date-time
             * @example 2026-04-20T10:15:30Z
             */
            updated_at: string;
        };
        /** @description Account names need not be unique. */
        CreateAccountRequest: {
            /**
             * @description How many instances the account may have; omitted = unlimited.
             * @example 10
             */
            instanceQuota?: number;
            /** @example acme */
            name: string;
        };
        /** @description Other documented RyzeAPI fields are accepted and ignored: `webhook*`, `websocket*`, `proxy*`, `s3*`, `autoRejectCalls`, `callRejectMessage`, `ignoreGroupMessages`, `keepOnlineStatus`, `autoReadMessages`, `disableHistorySync`, `ignoreStatus`; any other unknown field is a 400. The inline chatwoot block follows the rules of the set body and is validated only when `chatwootEnabled` is true; then a violation is a 400 and no instance is created. */
        CreateInstanceRequest: {
            /**
             * @description The Chatwoot account id: a JSON number, not a string. Validated only when chatwootEnabled is true, and then required.
             * @example 5
             */
            chatwootAccountId?: number;
            /** @description A Chatwoot API access token with admin scope on the account. Stored encrypted; never returned by any route. Validated only when chatwootEnabled is true, and then required. */
            chatwootApiToken?: string;
            /**
             * Format: uri
             * @description Absolute http or https URL with a host and no query, fragment or credentials; trailing slashes are removed, nothing else is changed. Validated only when chatwootEnabled is true, and then required.
             * @example https://chatwoot.example.com
             */
            chatwootBaseUrl?: string;
            /**
             * @description Activates the chatwoot integration with the fields below.
             * @default false
             */
            chatwootEnabled?: boolean;
            /**
             * @description Omitted = false. Validated only when chatwootEnabled is true.
             * @default false
             */
            chatwootIgnoreGroups?: boolean;
            /**
             * @description The Chatwoot inbox name: 1 to 100 characters after trimming; stored trimmed. Validated only when chatwootEnabled is true.
             * @default RyzeAPI
             * @example WhatsApp - Orion
             */
            chatwootInboxName?: string;
            /**
             * @description Omitted = false. Validated only when chatwootEnabled is true.
             * @default false
             */
            chatwootReopenResolved?: boolean;
            /**
             * @description Omitted = false. Validated only when chatwootEnabled is true.
             * @default false
             */
            chatwootSignMessages?: boolean;
            /**
             * @description Omitted = false. Validated only when chatwootEnabled is true.
             * @default false
             */
            chatwootStartAsPending?: boolean;
            /**
             * @description Unique within the account.
             * @example suporte
             */
            name: string;
            /** @description A custom TokenInstance, unique across the server; omitted = a generated one. */
            token?: string;
        };
        CreatedAccountInfo: {
            /** Format: uuid */
            id: string;
            /**
             * @description null = unlimited.
             * @example 10
             */
            instanceQuota: number | null;
            /** @example acme */
            name: string;
            /** @description The TokenAccount: shown only in this answer. */
            token: string;
        };
        CreatedAccountResponse: {
            account: components["schemas"]["CreatedAccountInfo"];
            /** @enum {string} */
            message: "Account created";
            /** @enum {boolean} */
            success: true;
        };
        CreatedInstanceInfo: {
            /**
             * Format: date-time
             * @example 2026-04-20T10:15:30Z
             */
            created_at: string;
            /** @example suporte */
            name: string;
            /**
             * @description This server has no WhatsApp connection: an instance stays `disconnected` (SPEC §4).
             * @example disconnected
             */
            status: string;
            /** @description The TokenInstance: shown only in this answer. */
            token: string;
        };
        CreatedInstanceResponse: {
            /** @description Present only when `chatwootEnabled` was true. An activation failure does not abort the creation. */
            chatwoot?: components["schemas"]["InlineChatwootActivated"] | components["schemas"]["InlineChatwootFailed"];
            data: components["schemas"]["InstanceTokenData"];
            instance: components["schemas"]["CreatedInstanceInfo"];
            /** @enum {string} */
            message: "Instance created";
            /** @enum {boolean} */
            success: true;
        };
        DeletedInstanceResponse: {
            instance: components["schemas"]["DeletedInstanceState"];
            /** @enum {string} */
            message: "Instance deleted";
            /** @enum {boolean} */
            success: true;
        };
        DeletedInstanceState: {
            /** @enum {string} */
            status: "deleted";
        };
        ErrorDetail: {
            /** @description The exact, documented message (see the response examples). */
            message: string;
        };
        ErrorEnvelope: {
            error: components["schemas"]["ErrorDetail"];
            /** @enum {boolean} */
            success: false;
        };
        InlineChatwootActivated: {
            /** @example int_xyz789abc */
            bridge_integration_id: string;
            /** @enum {boolean} */
            enabled: true;
            /**
             * @example active
             * @enum {string}
             */
            status: "active" | "paused" | "error";
        };
        InlineChatwootFailed: {
            /** @enum {boolean} */
            enabled: false;
            /**
             * @description The message `POST /api/chatwoot/set` would have answered (SPEC §5).
             * @example integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)
             */
            error: string;
            /** @enum {string} */
            status: "error";
        };
        InstanceListResponse: {
            instances: components["schemas"]["ListedInstanceItem"][];
            /**
             * @description `<N> Instances found`, or `1 Instance found`.
             * @example 2 Instances found
             */
            message: string;
            /** @enum {boolean} */
            success: true;
        };
        InstanceTokenData: {
            /** @description Repeats `instance.token` (the public docs name both places). */
            token: string;
        };
        ListedInstanceChatwoot: {
            enabled: boolean;
            /**
             * @description null when the instance has no integration.
             * @enum {string|null}
             */
            status: "active" | "paused" | "error" | null;
        };
        ListedInstanceItem: {
            /** @description Local data only (no bridge call). */
            chatwoot: components["schemas"]["ListedInstanceChatwoot"];
            /**
             * Format: date-time
             * @example 2026-04-20T10:15:30Z
             */
            created_at: string;
            /** @example suporte */
            name: string;
            /**
             * @description This server has no WhatsApp connection: an instance stays `disconnected` (SPEC §4).
             * @example disconnected
             */
            status: string;
        };
        /** @description A set replaces the whole configuration: an omitted optional field takes its default, also on an update. */
        SetChatwootRequest: {
            /**
             * @description The Chatwoot account id: a JSON number, not a string.
             * @example 5
             */
            chatwootAccountId: number;
            /** @description A Chatwoot API access token with admin scope on the account. Stored encrypted; never returned by any route. */
            chatwootApiToken: string;
            /**
             * Format: uri
             * @description Absolute http or https URL with a host and no query, fragment or credentials; trailing slashes are removed, nothing else is changed.
             * @example https://chatwoot.example.com
             */
            chatwootBaseUrl: string;
            /**
             * @description Omitted = false.
             * @default false
             */
            ignoreGroups?: boolean;
            /**
             * @description The Chatwoot inbox name: 1 to 100 characters after trimming; stored trimmed.
             * @default RyzeAPI
             * @example WhatsApp - Orion
             */
            inboxName?: string;
            /**
             * @description Omitted = false.
             * @default false
             */
            reopenResolved?: boolean;
            /**
             * @description Omitted = false.
             * @default false
             */
            signMessages?: boolean;
            /**
             * @description Omitted = false.
             * @default false
             */
            startAsPending?: boolean;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description Seconds until the window ends. */
        "Retry-After": number;
        /** @description The budget of the route's bucket per minute. */
        "X-RateLimit-Limit": number;
        /** @description Requests left in the current one-minute window. */
        "X-RateLimit-Remaining": number;
        /** @description When the current window ends (Unix seconds). */
        "X-RateLimit-Reset": number;
        /** @description The request's id: the client's own X-Request-Id when valid, otherwise a generated one. */
        "X-Request-Id": string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    createAccount: {
        parameters: {
            query?: never;
            header?: {
                /** @description Echoed in the response when it matches the pattern; otherwise the server generates one. */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateAccountRequest"];
            };
        };
        responses: {
            /** @description Account created */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedAccountResponse"];
                };
            };
            /**
             * @description `Invalid request body: name is required` — a field breaks its rule
             *
             *     `Invalid request body: unknown field plan` — the body has a field that is not documented
             *
             *     `Invalid request body: malformed JSON` — the body is not valid JSON
             *
             *     `Invalid request body: body must be a JSON object` — the body is JSON but not an object
             *
             *     `Invalid request body: Content-Type must be application/json` — the Content-Type is not application/json
             */
            400: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Invalid token` — the token is missing or is not the ADMIN_TOKEN */
            401: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Not found` — ADMIN_TOKEN is not set */
            404: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Request body too large` — the body is larger than 64 KiB */
            413: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Rate limit exceeded. Try again later.` — the token's budget for the current minute is spent (checked before auth) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Internal server error` — an unexpected failure (e.g. the database is down); the detail goes to the log only */
            500: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    deleteChatwoot: {
        parameters: {
            query?: {
                /** @description `true` (or `1`) asks the bridge to delete the Chatwoot inbox too. */
                deleteInbox?: boolean;
            };
            header?: {
                /** @description Echoed in the response when it matches the pattern; otherwise the server generates one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The instance name (inside the caller's account). */
                instance: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description chatwoot integration deactivated */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatwootDeactivatedResponse"];
                };
            };
            /** @description `Invalid token` — the token is missing or unknown */
            401: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Instance token does not match the requested instance` — a TokenInstance is used on another instance's path */
            403: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /**
             * @description `instance not found` — no such instance for this caller
             *
             *     `no chatwoot integration to delete` — the instance has no chatwoot integration
             */
            404: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Rate limit exceeded. Try again later.` — the token's budget for the current minute is spent (checked before auth) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Internal server error` — an unexpected failure (e.g. the database is down); the detail goes to the log only */
            500: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)` — BRIDGE_URL or BRIDGE_TOKEN is not set: the chatwoot module is disabled (checked after auth) */
            503: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    getChatwootStatus: {
        parameters: {
            query?: never;
            header?: {
                /** @description Echoed in the response when it matches the pattern; otherwise the server generates one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The instance name (inside the caller's account). */
                instance: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The integration (the Chatwoot API token is never returned) */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatwootStatusResponse"];
                };
            };
            /** @description `Invalid token` — the token is missing or unknown */
            401: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Instance token does not match the requested instance` — a TokenInstance is used on another instance's path */
            403: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /**
             * @description `instance not found` — no such instance for this caller
             *
             *     `no chatwoot integration for this instance` — the instance has no chatwoot integration
             */
            404: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Rate limit exceeded. Try again later.` — the token's budget for the current minute is spent (checked before auth) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Internal server error` — an unexpected failure (e.g. the database is down); the detail goes to the log only */
            500: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)` — BRIDGE_URL or BRIDGE_TOKEN is not set: the chatwoot module is disabled (checked after auth) */
            503: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    setChatwoot: {
        parameters: {
            query?: never;
            header?: {
                /** @description Echoed in the response when it matches the pattern; otherwise the server generates one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The instance name (inside the caller's account). */
                instance: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetChatwootRequest"];
            };
        };
        responses: {
            /** @description chatwoot integration activated */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatwootActivatedResponse"];
                };
            };
            /**
             * @description `invalid body: chatwootAccountId must be an integer greater than 0` — a field breaks its rule
             *
             *     `invalid body: chatwootBaseUrl must be an absolute http or https URL with a host and no query, fragment or credentials` — chatwootBaseUrl is not an absolute http(s) URL with a host
             *
             *     `invalid body: unknown field inbox` — the body has a field that is not documented
             *
             *     `invalid body: malformed JSON` — the body is not valid JSON
             *
             *     `invalid body: body must be a JSON object` — the body is JSON but not an object
             *
             *     `invalid body: Content-Type must be application/json` — the Content-Type is not application/json
             *
             *     `Chatwoot account or endpoint not found — verify chatwootBaseUrl (https://chatwoot.example.com) and chatwootAccountId (5). Detail: https://chatwoot.example.com/api/v1/accounts/5/inboxes HTTP 404: {"error":"Resource could not be found"}` — Chatwoot answered 404
             *
             *     `Chatwoot rejected the request as invalid — verify inboxName and the integration settings. Detail: https://chatwoot.example.com/api/v1/accounts/5/inboxes HTTP 422: {"message":"Name can't be blank"}` — Chatwoot answered 422
             */
            400: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /**
             * @description `Chatwoot rejected the API token — verify chatwootApiToken. Detail: https://chatwoot.example.com/api/v1/accounts/5/inboxes HTTP 401: {"error":"Invalid Access Token"}` — Chatwoot answered 401 (the token)
             *
             *     `Invalid token` — the token is missing or unknown
             */
            401: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /**
             * @description `Chatwoot denied the request — verify the API token has admin scope on account 5. Detail: https://chatwoot.example.com/api/v1/accounts/5/inboxes HTTP 401: {"error":"You are not authorized to do this action"}` — Chatwoot answered 403, or 401 for an agent without admin rights on the account
             *
             *     `Instance token does not match the requested instance` — a TokenInstance is used on another instance's path
             */
            403: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `instance not found` — no such instance for this caller */
            404: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Request body too large` — the body is larger than 64 KiB */
            413: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Rate limit exceeded. Try again later.` — the token's budget for the current minute is spent (checked before auth) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /**
             * @description `chatwoot integration failed: persist integration: database write failed` — local database failure (the bridge integration just created is deleted again)
             *
             *     `Internal server error` — an unexpected failure (e.g. the database is down); the detail goes to the log only
             */
            500: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /**
             * @description `Chatwoot is unreachable at https://chatwoot.example.com — verify chatwootBaseUrl and that the host is reachable from the server. Detail: Post "https://chatwoot.example.com/api/v1/accounts/5/inboxes": dial tcp 203.0.113.7:443: connect: connection refused` — DNS failure, connection refused, i/o timeout, TLS failure, or Chatwoot answered 5xx
             *
             *     `integration gateway is unreachable — retry later. Detail: POST http://bridge:8080/v1/integrations: connect ECONNREFUSED 10.0.0.12:8080` — the bridge itself cannot be reached (refused, DNS, connect timeout)
             *
             *     `integration gateway failed — retry later. Detail: unexpected non-JSON body with HTTP 500` — the bridge answered outside its contract: `internal`, `invalid_request`, a non-JSON or unexpected body or status
             */
            502: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /**
             * @description `integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)` — BRIDGE_URL or BRIDGE_TOKEN is not set: the chatwoot module is disabled (checked after auth)
             *
             *     `integration gateway rejected the server credentials — verify BRIDGE_TOKEN` — the bridge answered 401/403 to this server
             */
            503: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `chatwoot activation timed out after 60s — it may still complete; check GET /api/chatwoot/list/suporte` — the 60 s budget of the activation ran out; nothing is stored */
            504: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    deleteInstance: {
        parameters: {
            query?: never;
            header?: {
                /** @description Echoed in the response when it matches the pattern; otherwise the server generates one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The instance name. */
                instance: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Instance deleted */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeletedInstanceResponse"];
                };
            };
            /** @description `Invalid token` — the token is missing or unknown, or is a TokenInstance (this route takes a TokenAccount only) */
            401: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Instance not found` — the account has no instance of that name */
            404: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Rate limit exceeded. Try again later.` — the token's budget for the current minute is spent (checked before auth) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Internal server error` — an unexpected failure (e.g. the database is down); the detail goes to the log only */
            500: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    listInstances: {
        parameters: {
            query?: {
                /** @description Comma-separated instance names (TokenAccount only). */
                instanceName?: string;
            };
            header?: {
                /** @description Echoed in the response when it matches the pattern; otherwise the server generates one. */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description `<N> Instances found` (`1 Instance found` when N is 1) */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstanceListResponse"];
                };
            };
            /** @description `Invalid token` — the token is missing or unknown */
            401: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Instance not found` — a single name was asked in `instanceName` and the account has no instance of that name */
            404: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Rate limit exceeded. Try again later.` — the token's budget for the current minute is spent (checked before auth) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Internal server error` — an unexpected failure (e.g. the database is down); the detail goes to the log only */
            500: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    createInstance: {
        parameters: {
            query?: never;
            header?: {
                /** @description Echoed in the response when it matches the pattern; otherwise the server generates one. */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateInstanceRequest"];
            };
        };
        responses: {
            /** @description Instance created */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedInstanceResponse"];
                };
            };
            /**
             * @description `Invalid request body: name must match ^[A-Za-z0-9_-]{1,64}$` — a field breaks its rule
             *
             *     `Invalid request body: chatwootAccountId must be an integer greater than 0` — chatwootEnabled is true and the inline block breaks a rule of the set body (no instance is created)
             *
             *     `Invalid request body: unknown field color` — the body has a field that is neither documented nor ignored
             *
             *     `Invalid request body: malformed JSON` — the body is not valid JSON
             *
             *     `Invalid request body: body must be a JSON object` — the body is JSON but not an object
             *
             *     `Invalid request body: Content-Type must be application/json` — the Content-Type is not application/json
             */
            400: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Invalid token` — the token is missing or unknown, or is a TokenInstance (this route takes a TokenAccount only) */
            401: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Account instance quota exceeded` — the account already has as many instances as its instanceQuota */
            403: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /**
             * @description `Instance name already in use` — the account already has an instance of that name
             *
             *     `Instance token already in use` — the custom token is already a token of this server
             */
            409: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Request body too large` — the body is larger than 64 KiB */
            413: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Rate limit exceeded. Try again later.` — the token's budget for the current minute is spent (checked before auth) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Internal server error` — an unexpected failure (e.g. the database is down); the detail goes to the log only */
            500: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
}
