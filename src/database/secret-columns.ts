/**
 * Every column that holds a secret encrypted by SecretCipher (SPEC §6), in every role's tables.
 * Key rotation and the boot-time key check go through this list, so a new secret column is
 * covered by adding it here.
 */
export const SECRET_COLUMNS: ReadonlyArray<{ table: string; id: string; column: string }> = [
  { table: 'chatwoot_integrations', id: 'id', column: 'chatwoot_api_token' },
  { table: 'bridge_integrations', id: 'id', column: 'chatwoot_api_token' },
  { table: 'bridge_integrations', id: 'id', column: 'webhook_secret' },
  { table: 'bridge_integrations', id: 'id', column: 'inbox_signing_secret' },
  { table: 'bridge_integrations', id: 'id', column: 'source_token' },
];
