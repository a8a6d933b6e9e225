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
    "/api/instance/connect/{instance}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Connect an instance to WhatsApp
         * @description Baileys: starts (or reuses) the session and waits for the first QR code, at most `WHATSAPP_CONNECT_TIMEOUT_MS`; a new QR code replaces the old one every ~20 s, and calling again returns the current one. With `?phone=` a pairing code instead. A paired session answers `Instance already connected`. Cloud API: verifies the credentials with `GET <WHATSAPP_CLOUD_API_URL>/<cloudPhoneNumberId>`; the instance is then `connected` and its webhooks are accepted.
         *
         *     Auth: a TokenAccount or a TokenInstance (`token` header or `Authorization: Bearer`).
         */
        get: operations["connectInstance"];
        put?: never;
        post?: never;
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
    "/api/instance/logout/{instance}": {
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
         * Log an instance out of WhatsApp
         * @description Baileys: logs the device out (it disappears from the phone's linked devices) and deletes the saved session. Cloud API: the instance stops accepting its webhooks. Either way the instance is `disconnected`.
         *
         *     Auth: a TokenAccount or a TokenInstance (`token` header or `Authorization: Bearer`).
         */
        delete: operations["logoutInstance"];
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
    "/api/instance/reconnect/{instance}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reconnect an instance
         * @description Baileys: a saved session reconnects (the answer does not wait for it; `instance.state` events follow). Cloud API: the same as connect.
         *
         *     Auth: a TokenAccount or a TokenInstance (`token` header or `Authorization: Bearer`).
         */
        post: operations["reconnectInstance"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/message/media/{instance}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a media message
         * @description Every sent message is stored and emitted as `message.exchange` with `direction: "outgoing"`. With an `Idempotency-Key` (1–128 characters of `A-Z a-z 0-9 . _ : -`), a second request to the same instance with the same key within 24 h sends nothing and gets the first answer, whatever it was, waiting for it if the first is still running. If the process running the first request died, a repeat sends the message itself when that process had not called WhatsApp yet, and answers `409` `Idempotency-Key already used by a request whose outcome is unknown` when it had. Other refusals by the provider: `WhatsApp rejected the message — <Meta's error.message>. Detail: <detail>`. The file comes as `mediaBase64` or from `mediaUrl` (fetched by the server: public addresses only, redirects followed, at most `MEDIA_MAX_BYTES`, 64 MiB by default; the body of this route may be `MEDIA_MAX_BYTES` × 4/3). Without `mimetype` the type is sniffed from the bytes.
         *
         *     Auth: a TokenAccount, a TokenInstance, or the callback token of the instance's chatwoot integration (`token` header or `Authorization: Bearer`).
         */
        post: operations["sendMedia"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/message/media/{instance}/{messageId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a message's media
         * @description Streams the bytes with their `Content-Type`, kept as long as the event (`EVENT_RETENTION_HOURS`). Inbound media is downloaded from the provider in the background after the message was acknowledged; asked first, this route fetches it on demand.
         *
         *     Auth: a TokenAccount, a TokenInstance, or the callback token of the instance's chatwoot integration (`token` header or `Authorization: Bearer`).
         */
        get: operations["getMedia"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/message/revoke/{instance}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke a sent message (delete it for everyone)
         * @description Deletes one of the instance's own messages for everyone in the chat (WhatsApp Web instances: Meta's Cloud API has no such call). The revoke is stored and emitted as `message.exchange` of type `revoke` with `target` = the message. The Chatwoot integration uses it when an agent deletes a reply that was already sent. WhatsApp itself refuses revokes of messages older than about two days: the phone keeps showing them.
         *
         *     Auth: a TokenAccount, a TokenInstance, or the callback token of the instance's chatwoot integration (`token` header or `Authorization: Bearer`).
         */
        post: operations["revokeMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/message/text/{instance}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a text message
         * @description Every sent message is stored and emitted as `message.exchange` with `direction: "outgoing"`. With an `Idempotency-Key` (1–128 characters of `A-Z a-z 0-9 . _ : -`), a second request to the same instance with the same key within 24 h sends nothing and gets the first answer, whatever it was, waiting for it if the first is still running. If the process running the first request died, a repeat sends the message itself when that process had not called WhatsApp yet, and answers `409` `Idempotency-Key already used by a request whose outcome is unknown` when it had. Other refusals by the provider: `WhatsApp rejected the message — <Meta's error.message>. Detail: <detail>`.
         *
         *     Auth: a TokenAccount, a TokenInstance, or the callback token of the instance's chatwoot integration (`token` header or `Authorization: Bearer`).
         */
        post: operations["sendText"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/whatsapp-cloud": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Meta's webhook subscription handshake
         * @description Answers `hub.challenge` when `hub.verify_token` is the `cloudVerifyToken` of a Cloud API instance. No token, no rate limit.
         */
        get: operations["verifyCloudWebhook"];
        put?: never;
        /**
         * Meta's webhook: messages and statuses of Cloud API instances
         * @description Meta's `{"object": "whatsapp_business_account", "entry": [...]}`, signed with `X-Hub-Signature-256` (`sha256=<hex HMAC-SHA256 of the raw body>`) by the app secret of every instance it names. Answered `200` once the messages and statuses of connected instances are stored with their events; unknown phone number ids and logged-out instances are ignored, and a body that names no known instance gets `200` with nothing processed. A `wamid` already stored changes nothing. No token, no rate limit.
         */
        post: operations["receiveCloudWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ws/{instance}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Stream an instance's events (WebSocket)
         * @description A WebSocket (`101 Switching Protocols`): every event of the instance as one JSON text frame (`EventFrame`), in `seq` order. With `after`, first every stored event with a greater `seq`, then live ones, with no gap and no duplicate between the two; without it, only the events stored from the moment the stream opens. The `101` carries `X-Events-Last-Seq` (the last `seq` stored then), `X-Events-Pruned-Through` (every event up to this `seq` was pruned: resume from it after a `4410`) and `X-Instance-Status` (the instance's status then). Close codes: `4410` `events after <seq> are no longer kept` (older than `EVENT_RETENTION_HOURS`); `4408` `reader too slow` (more than 1,000 frames unsent: resume with `after`). The server pings every 30 s and closes a connection silent for 60 s. Auth, ownership and rate limit are checked before the upgrade; the token may also come as `?token=` (browsers).
         *
         *     Auth: a TokenAccount, a TokenInstance, or the callback token of the instance's chatwoot integration (`token` header or `Authorization: Bearer`).
         */
        get: operations["streamEvents"];
        put?: never;
        post?: never;
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
        ConnectResponse: {
            /** @enum {string} */
            message: "Instance already connected" | "Instance connected" | "Scan the QR code with WhatsApp" | "Enter the pairing code in WhatsApp" | "Instance reconnecting";
            /**
             * @description With `pairing_code` (`?phone=`): 8 characters to enter in WhatsApp → Linked devices.
             * @example ABCD1234
             */
            pairingCode?: string;
            /** @description With `qr_ready`: the raw QR string (a new one every ~20 s; call again for the current one). */
            qrCode?: string;
            /**
             * @description With `qr_ready`: the QR code as a PNG data URL.
             * @example data:image/png;base64,iVBORw0KGgo…
             */
            qrCodeBase64?: string;
            /** @enum {string} */
            status: "connected" | "qr_ready" | "pairing_code" | "connecting";
            /** @enum {boolean} */
            success: true;
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
            /** @description A Chatwoot API access token with admin scope on the account: 1 to 512 visible ASCII characters (`!` to `~`; it travels in an HTTP header). Stored encrypted; never returned by any route. Validated only when chatwootEnabled is true, and then required. */
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
            /** @description Cloud API: the access token (a system user token). Stored encrypted; never returned. */
            cloudAccessToken?: string;
            /** @description Cloud API: the Meta app's secret, which signs the webhooks. Stored encrypted; never returned. */
            cloudAppSecret?: string;
            /** @description Cloud API: the phone number id (unique across the server). Required with provider "cloud", refused otherwise. */
            cloudPhoneNumberId?: string;
            /** @description Cloud API: the webhook's verify token, as entered in Meta's app dashboard. Stored as a SHA-256 hash. */
            cloudVerifyToken?: string;
            /**
             * @description Unique within the account.
             * @example suporte
             */
            name: string;
            /**
             * @description Fixed for the life of the instance (SPEC-MESSAGING §8).
             * @default baileys
             * @enum {string}
             */
            provider?: "baileys" | "cloud";
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
        EventFrame: {
            /** @description `message.exchange`: `{"id", "message": {"id", "direction", "timestamp", "fromMe", "chat", "sender", "type", "content", "media", "replyTo", "target"}}`; `message.status`: `{"id", "status", "error", "timestamp"}`; `instance.state`: `{"status", "reason"}`. */
            data: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            event: "message.exchange" | "message.status" | "instance.state";
            instanceData: components["schemas"]["EventInstanceData"];
            /** @description The event's place in the instance's log: 1, 2, 3, … with no reuse. */
            seq: number;
        };
        EventInstanceData: {
            /**
             * Format: uri
             * @description PUBLIC_URL.
             * @example https://api.example.com
             */
            baseUrl: string;
            /** @example suporte */
            instance: string;
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
        LoggedOutInstance: {
            /** @example suporte */
            name: string;
            /**
             * @example disconnected
             * @enum {string}
             */
            status: "disconnected" | "connecting" | "qr_ready" | "connected";
        };
        LogoutResponse: {
            instance: components["schemas"]["LoggedOutInstance"];
            /** @enum {string} */
            message: "Instance logged out";
            /** @enum {boolean} */
            success: true;
        };
        ReconnectResponse: {
            /** @enum {string} */
            message: "Instance reconnecting" | "Instance connected";
            /** @enum {string} */
            status: "connecting" | "connected";
            /** @enum {boolean} */
            success: true;
        };
        /** @description Unknown fields are a 400. */
        RevokeMessageRequest: {
            /**
             * @description The `messageId` of a message this instance sent.
             * @example 3EB0C767D71D3F5F2A1B
             */
            messageId: string;
        };
        RevokeMessageResponse: {
            data: components["schemas"]["RevokedMessageData"];
            /** @enum {string} */
            message: "Message revoked";
            /** @enum {boolean} */
            success: true;
        };
        RevokedMessageData: {
            chat: components["schemas"]["SentChat"];
            /**
             * @description The revoked message.
             * @example 3EB0C767D71D3F5F2A1B
             */
            messageId: string;
            /**
             * @description The revoke's own id (its `message.exchange` event of type `revoke`).
             * @example 3EB0A1B2C3D4E5F60718
             */
            revokeId: string;
            /**
             * Format: date-time
             * @example 2026-04-20T10:16:02Z
             */
            timestamp: string;
        };
        /** @description Exactly one of `mediaUrl` or `mediaBase64`. Unknown fields are a 400. */
        SendMediaRequest: {
            caption?: string;
            /** @description The file name shown for documents. */
            fileName?: string;
            /**
             * Format: byte
             * @description The file, base64-encoded (at most MEDIA_MAX_BYTES once decoded).
             */
            mediaBase64?: string;
            /**
             * Format: uri
             * @description An http or https URL the server fetches (public addresses only, at most MEDIA_MAX_BYTES).
             */
            mediaUrl?: string;
            /**
             * @description The MIME type; sniffed from the bytes when omitted.
             * @example image/jpeg
             */
            mimetype?: string;
            /**
             * @description A phone number (`+` optional, 8–15 digits), or a JID: `<digits>@s.whatsapp.net`, `<id>@lid`, `<id>@g.us`.
             * @example +5511999999999
             */
            number: string;
            /** @description The `messageId` of a message of this instance to reply to (quote). */
            replyTo?: string;
            /** @enum {string} */
            type: "image" | "video" | "audio" | "document";
            /** @description Send audio as a voice note. */
            voice?: boolean;
        };
        SendMessageResponse: {
            data: components["schemas"]["SentMessageData"];
            /** @enum {string} */
            message: "Message sent successfully";
            /** @enum {string} */
            status: "sent";
            /** @enum {boolean} */
            success: true;
        };
        /** @description Unknown fields are a 400. */
        SendTextRequest: {
            /** @description Seconds of "typing…" before sending (Baileys; ignored by the Cloud API). */
            delay?: number;
            /** @description Show a preview of the first link. */
            linkPreview?: boolean;
            /**
             * @description 1 to 4096 characters.
             * @example Olá!
             */
            message: string;
            /**
             * @description A phone number (`+` optional, 8–15 digits), or a JID: `<digits>@s.whatsapp.net`, `<id>@lid`, `<id>@g.us`.
             * @example +5511999999999
             */
            number: string;
            /** @description The `messageId` of a message of this instance to reply to (quote). */
            replyTo?: string;
        };
        SentChat: {
            /** @example 5511999999999@s.whatsapp.net */
            jid: string;
            /** @enum {string} */
            type: "private" | "group";
        };
        SentMessageData: {
            chat: components["schemas"]["SentChat"];
            /** @enum {string} */
            direction: "outgoing";
            /**
             * @description The provider's message id: `replyTo` of later sends, the media route's `messageId`, events' `id`.
             * @example wamid.HBgNNTUxMTk5OTk5OTk5ORUCABEYEjA2QkE0N0FFMkE1MUMyRjhBNAA=
             */
            messageId: string;
            /**
             * Format: date-time
             * @example 2026-04-20T10:15:30Z
             */
            timestamp: string;
        };
        /** @description A set replaces the whole configuration: an omitted optional field takes its default, also on an update. */
        SetChatwootRequest: {
            /**
             * @description The Chatwoot account id: a JSON number, not a string.
             * @example 5
             */
            chatwootAccountId: number;
            /** @description A Chatwoot API access token with admin scope on the account: 1 to 512 visible ASCII characters (`!` to `~`; it travels in an HTTP header). Stored encrypted; never returned by any route. */
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
            /** @description `Invalid token` — the token is missing or unknown (an integration's callback token too: it is valid only on the stream, send and media routes) */
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
            /** @description `Invalid token` — the token is missing or unknown (an integration's callback token too: it is valid only on the stream, send and media routes) */
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
             *
             *     `Chatwoot URL is not allowed — chatwoot.internal resolves to a private or local address; the server's CHATWOOT_ALLOWED_HOSTS can allow it` — the server's address policy (CHATWOOT_ALLOWED_HOSTS) refuses every address of the host; nothing was sent to it
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
             *     `Invalid token` — the token is missing or unknown (an integration's callback token too: it is valid only on the stream, send and media routes)
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
            /** @description `Chatwoot inbox "RyzeAPI" is already connected to another instance — choose another inboxName` — the API inbox of that name in that Chatwoot account routes for another live integration (never taken over) */
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
    connectInstance: {
        parameters: {
            query?: {
                /** @description Baileys: a pairing code for this phone number (digits) instead of a QR code. */
                phone?: string;
            };
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
            /** @description Connected, or a code to pair a phone with */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectResponse"];
                };
            };
            /**
             * @description `Invalid query: phone must be 8 to 15 digits` — `phone` is not 8 to 15 digits (a leading `+` is allowed)
             *
             *     `WhatsApp Cloud API rejected the credentials — verify cloudAccessToken. Detail: <detail>` — Cloud API: Meta answered 401 or error code 190
             *
             *     `WhatsApp Cloud API refused the phone number — verify cloudPhoneNumberId. Detail: <detail>` — Cloud API: Meta refused the phone number id (e.g. code 100, 10 or 200)
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
            /** @description `Invalid token` — the token is missing or unknown (an integration's callback token too: it is valid only on the stream, send and media routes) */
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
            /** @description `Instance token does not match the requested instance` — a TokenInstance on another instance's path */
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
            /** @description `Instance not found` — no instance of that name in the caller's account */
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
            /** @description `WhatsApp is unreachable — retry later. Detail: <detail>` — WhatsApp (or the Graph API) cannot be reached or answered 5xx, or no QR code came within WHATSAPP_CONNECT_TIMEOUT_MS; the instance is `disconnected` */
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
            /** @description `Invalid token` — the token is missing or unknown (an integration's callback token too: it is valid only on the stream, send and media routes) */
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
    logoutInstance: {
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
            /** @description Instance logged out */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LogoutResponse"];
                };
            };
            /** @description `Invalid token` — the token is missing or unknown (an integration's callback token too: it is valid only on the stream, send and media routes) */
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
            /** @description `Instance token does not match the requested instance` — a TokenInstance on another instance's path */
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
            /** @description `Instance not found` — no instance of that name in the caller's account */
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
             *     `Invalid request body: cloudAccessToken is required with provider "cloud"; cloudAppSecret is required with provider "cloud"; cloudVerifyToken is required with provider "cloud"` — provider "cloud" without all four cloud* fields, or a cloud* field without provider "cloud"
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
             *
             *     `Phone number already in use` — provider "cloud": another instance of this server has that cloudPhoneNumberId
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
    reconnectInstance: {
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
            /** @description `Instance reconnecting` (Baileys) or `Instance connected` (Cloud API) */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReconnectResponse"];
                };
            };
            /**
             * @description `Instance has no saved session — call /connect first` — Baileys: no paired session is saved
             *
             *     `WhatsApp Cloud API rejected the credentials — verify cloudAccessToken. Detail: <detail>` — Cloud API: Meta answered 401 or error code 190
             *
             *     `WhatsApp Cloud API refused the phone number — verify cloudPhoneNumberId. Detail: <detail>` — Cloud API: Meta refused the phone number id (e.g. code 100, 10 or 200)
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
            /** @description `Invalid token` — the token is missing or unknown (an integration's callback token too: it is valid only on the stream, send and media routes) */
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
            /** @description `Instance token does not match the requested instance` — a TokenInstance on another instance's path */
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
            /** @description `Instance not found` — no instance of that name in the caller's account */
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
            /** @description `WhatsApp is unreachable — retry later. Detail: <detail>` — WhatsApp (or the Graph API) cannot be reached or answered 5xx, or no QR code came within WHATSAPP_CONNECT_TIMEOUT_MS; the instance is `disconnected` */
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
        };
    };
    sendMedia: {
        parameters: {
            query?: never;
            header?: {
                /** @description A repeat with the same key within 24 h sends nothing and gets the first answer (waiting for it if needed). If the first request's process died while WhatsApp was being called: on the Cloud API the key travels to Meta as `biz_opaque_callback_data` (`idempotency-key:<nonce>:<key>`), and the repeat answers 200 with the id Meta reported in its status webhook, or sends the message once CLOUD_SEND_SETTLE_SECONDS passed without one (409 when no webhook of Meta reached the server for that number in 24 h); on Baileys it answers 409. */
                "Idempotency-Key"?: string;
                /** @description Echoed in the response when it matches the pattern; otherwise the server generates one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The instance name. */
                instance: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendMediaRequest"];
            };
        };
        responses: {
            /** @description Message sent successfully */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SendMessageResponse"];
                };
            };
            /**
             * @description `Invalid request body: type must be one of image, video, audio, document` — `type` is not image, video, audio or document
             *
             *     `Invalid request body: number must be a phone number or a WhatsApp JID` — `number` is neither a phone number nor a WhatsApp JID
             *
             *     `Invalid request body: malformed JSON` — the body is not valid JSON
             *
             *     `Invalid request body: body must be a JSON object` — the body is JSON but not an object
             *
             *     `Invalid request body: Content-Type must be application/json` — the Content-Type is not application/json
             *
             *     `Invalid request body: exactly one of mediaUrl or mediaBase64 is required` — both or neither of `mediaUrl` and `mediaBase64`
             *
             *     `Media could not be fetched — <reason>` — `mediaUrl` could not be fetched (refused address, HTTP error, too large, timeout)
             *
             *     `Invalid request body: Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -` — the Idempotency-Key header breaks its rule
             *
             *     `Instance is not connected to WhatsApp` — the instance is not `connected`
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
            /** @description `Instance token does not match the requested instance` — a TokenInstance on another instance's path */
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
             * @description `Instance not found` — no instance of that name in the caller's account
             *
             *     `Message not found` — `replyTo` names no message of this instance
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
            /** @description `Idempotency-Key already used for a different request` — the key was used on this instance within 24 h with another body */
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
            /**
             * @description `WhatsApp rejected the message — the 24-hour customer service window is closed (send a template). Detail: <detail>` — Cloud API code 131047
             *
             *     `WhatsApp rejected the message — the number is not on WhatsApp. Detail: <detail>` — Cloud API code 131026
             *
             *     `WhatsApp rejected the message — rate limited by WhatsApp. Detail: <detail>` — Cloud API codes 130429, 131048, 131056, 80007, 4
             *
             *     `WhatsApp Cloud API rejected the credentials — verify cloudAccessToken. Detail: <detail>` — Cloud API: the access token expired or was revoked (code 190)
             *
             *     `WhatsApp is unreachable — retry later. Detail: <detail>` — the provider cannot be reached, or answered 5xx
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
        };
    };
    getMedia: {
        parameters: {
            query?: never;
            header?: {
                /** @description Echoed in the response when it matches the pattern; otherwise the server generates one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The instance name. */
                instance: string;
                /** @description The provider's message id, as in the event. */
                messageId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, with its own `Content-Type` (and `Content-Disposition` when it has a name) */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
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
            /** @description `Instance token does not match the requested instance` — a TokenInstance on another instance's path */
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
             * @description `Instance not found` — no instance of that name in the caller's account
             *
             *     `Media not found` — no such message, no media, or the provider no longer has it
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
            /** @description `WhatsApp is unreachable — retry later. Detail: <detail>` — fetching the media from the provider failed; retry later */
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
        };
    };
    revokeMessage: {
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
        requestBody: {
            content: {
                "application/json": components["schemas"]["RevokeMessageRequest"];
            };
        };
        responses: {
            /** @description Message revoked */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RevokeMessageResponse"];
                };
            };
            /**
             * @description `Invalid request body: messageId is required` — `messageId` is missing or not a message id
             *
             *     `Invalid request body: unknown field color` — the body has a field the route does not take
             *
             *     `Invalid request body: malformed JSON` — the body is not valid JSON
             *
             *     `Invalid request body: body must be a JSON object` — the body is JSON but not an object
             *
             *     `Invalid request body: Content-Type must be application/json` — the Content-Type is not application/json
             *
             *     `Instance is not connected to WhatsApp` — the instance is not `connected`
             *
             *     `The WhatsApp Cloud API cannot revoke a sent message` — the instance uses the Cloud API
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
            /** @description `Instance token does not match the requested instance` — a TokenInstance on another instance's path */
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
             * @description `Instance not found` — no instance of that name in the caller's account
             *
             *     `Message not found` — `messageId` names no message this instance sent
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
            /** @description `WhatsApp is unreachable — retry later. Detail: <detail>` — WhatsApp cannot be reached */
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
        };
    };
    sendText: {
        parameters: {
            query?: never;
            header?: {
                /** @description A repeat with the same key within 24 h sends nothing and gets the first answer (waiting for it if needed). If the first request's process died while WhatsApp was being called: on the Cloud API the key travels to Meta as `biz_opaque_callback_data` (`idempotency-key:<nonce>:<key>`), and the repeat answers 200 with the id Meta reported in its status webhook, or sends the message once CLOUD_SEND_SETTLE_SECONDS passed without one (409 when no webhook of Meta reached the server for that number in 24 h); on Baileys it answers 409. */
                "Idempotency-Key"?: string;
                /** @description Echoed in the response when it matches the pattern; otherwise the server generates one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The instance name. */
                instance: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendTextRequest"];
            };
        };
        responses: {
            /** @description Message sent successfully */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SendMessageResponse"];
                };
            };
            /**
             * @description `Invalid request body: number must be a phone number or a WhatsApp JID` — `number` is neither a phone number nor a WhatsApp JID
             *
             *     `Invalid request body: message must be 1 to 4096 characters` — `message` is missing, empty or longer than 4096 characters
             *
             *     `Invalid request body: unknown field color` — the body has a field the route does not take
             *
             *     `Invalid request body: malformed JSON` — the body is not valid JSON
             *
             *     `Invalid request body: body must be a JSON object` — the body is JSON but not an object
             *
             *     `Invalid request body: Content-Type must be application/json` — the Content-Type is not application/json
             *
             *     `Invalid request body: Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -` — the Idempotency-Key header breaks its rule
             *
             *     `Instance is not connected to WhatsApp` — the instance is not `connected`
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
            /** @description `Instance token does not match the requested instance` — a TokenInstance on another instance's path */
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
             * @description `Instance not found` — no instance of that name in the caller's account
             *
             *     `Message not found` — `replyTo` names no message of this instance
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
            /** @description `Idempotency-Key already used for a different request` — the key was used on this instance within 24 h with another body */
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
            /**
             * @description `WhatsApp rejected the message — the 24-hour customer service window is closed (send a template). Detail: <detail>` — Cloud API code 131047
             *
             *     `WhatsApp rejected the message — the number is not on WhatsApp. Detail: <detail>` — Cloud API code 131026
             *
             *     `WhatsApp rejected the message — rate limited by WhatsApp. Detail: <detail>` — Cloud API codes 130429, 131048, 131056, 80007, 4
             *
             *     `WhatsApp Cloud API rejected the credentials — verify cloudAccessToken. Detail: <detail>` — Cloud API: the access token expired or was revoked (code 190)
             *
             *     `WhatsApp is unreachable — retry later. Detail: <detail>` — the provider cannot be reached, or answered 5xx
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
        };
    };
    verifyCloudWebhook: {
        parameters: {
            query: {
                "hub.challenge": string;
                "hub.verify_token": string;
                "hub.mode": string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The challenge, as text/plain */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description `Forbidden` — not a subscribe request, or no instance has that verify token */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "message": "Forbidden"
                     *       },
                     *       "success": false
                     *     }
                     */
                    "text/plain": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    receiveCloudWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Stored (or nothing to store) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        success: true;
                    };
                };
            };
            /** @description `Invalid signature` — the signature does not verify with the app secret of an instance the body names; nothing is processed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "message": "Invalid signature"
                     *       },
                     *       "success": false
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description `Request body too large` — over 4 MiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "message": "Request body too large"
                     *       },
                     *       "success": false
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    streamEvents: {
        parameters: {
            query?: {
                /** @description The token, for browsers (which cannot set headers on a WebSocket). */
                token?: string;
                /** @description Replay the stored events with a greater `seq` first. */
                after?: number;
            };
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
            /** @description Switching Protocols; then frames like this one */
            101: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventFrame"];
                };
            };
            /** @description `Invalid query: after must be a non-negative integer` — `after` is not a non-negative integer */
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
            /** @description `Instance token does not match the requested instance` — a TokenInstance on another instance's path */
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
            /** @description `Instance not found` — no instance of that name in the caller's account */
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
            /** @description `WebSocket upgrade required` — a plain HTTP request (no WebSocket upgrade) */
            426: {
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
