/**
 * Every column holding a SecretCipher ciphertext (SPEC §6): key rotation and the boot-time key check
 * read this list. `id` is an SQL expression that names a row uniquely; `bulk` marks data that is not
 * a credential (Baileys' session keys: thousands of values, never remembered for log redaction).
 */
export const SECRET_COLUMNS: ReadonlyArray<{ table: string; id: string; column: string; bulk?: true }> = [
  { table: 'chatwoot_integrations', id: '"id"', column: 'chatwoot_api_token' },
  { table: 'bridge_integrations', id: '"id"', column: 'chatwoot_api_token' },
  { table: 'bridge_integrations', id: '"id"', column: 'webhook_secret' },
  { table: 'bridge_integrations', id: '"id"', column: 'inbox_signing_secret' },
  { table: 'bridge_integrations', id: '"id"', column: 'source_token' },
  { table: 'instances', id: '"id"', column: 'cloud_access_token' },
  { table: 'instances', id: '"id"', column: 'cloud_app_secret' },
  { table: 'instances', id: '"id"', column: 'pairing' },
  { table: 'whatsapp_sessions', id: '"instance_id"', column: 'creds', bulk: true },
  { table: 'whatsapp_session_keys', id: `"instance_id"::text || '/' || "category" || '/' || "key_id"`, column: 'value', bulk: true },
];
