/** Every column holding a SecretCipher ciphertext (SPEC §6): key rotation and the boot-time key check read this list. */
export const SECRET_COLUMNS: ReadonlyArray<{ table: string; id: string; column: string }> = [
  { table: 'chatwoot_integrations', id: 'id', column: 'chatwoot_api_token' },
  { table: 'bridge_integrations', id: 'id', column: 'chatwoot_api_token' },
  { table: 'bridge_integrations', id: 'id', column: 'webhook_secret' },
  { table: 'bridge_integrations', id: 'id', column: 'inbox_signing_secret' },
  { table: 'bridge_integrations', id: 'id', column: 'source_token' },
];
