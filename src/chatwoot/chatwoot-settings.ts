import type { ProvisionRequest } from '../bridge-gateway/bridge-gateway.types.js';
import type { ChatwootIntegration } from './chatwoot-integration.entity.js';

/**
 * The flags of SPEC §5, named once: the key in the settings, the set body and the entity,
 * `chatwoot<Key>` in the inline block, the value in the bridge's request, the column and the status
 * answer. A new flag: a line here, then the properties the compiler asks for (and a migration).
 */
export const CHATWOOT_FLAGS = {
  signMessages: 'sign_messages',
  ignoreGroups: 'ignore_groups',
  startAsPending: 'start_as_pending',
  reopenResolved: 'reopen_resolved',
} as const;

export type ChatwootFlag = keyof typeof CHATWOOT_FLAGS;
export type SnakeChatwootFlag = (typeof CHATWOOT_FLAGS)[ChatwootFlag];

export const FLAG_KEYS = Object.keys(CHATWOOT_FLAGS) as ChatwootFlag[];

export const DEFAULT_INBOX_NAME = 'RyzeAPI';

/** A complete chatwoot configuration, defaults applied (SPEC §5: a set replaces everything). */
export interface ChatwootSettings extends Record<ChatwootFlag, boolean> {
  baseUrl: string;
  accountId: number;
  apiToken: string;
  inboxName: string;
}

/** The inline block of `POST /api/instance/new` (SPEC §4): each setting as `chatwoot<Setting>`, all optional. */
export type InlineChatwootBlock = { [K in keyof ChatwootSettings as `chatwoot${Capitalize<K>}`]?: ChatwootSettings[K] };

/** The body of `POST /api/chatwoot/set/:instance` (SPEC §5). */
export type SetChatwootBody = Required<Pick<InlineChatwootBlock, 'chatwootBaseUrl' | 'chatwootAccountId' | 'chatwootApiToken'>> &
  Partial<Pick<ChatwootSettings, 'inboxName' | ChatwootFlag>>;

/** The columns of `chatwoot_integrations` that hold the settings (SPEC §6); the token as ciphertext. */
export type SettingsColumns = Pick<ChatwootIntegration, 'chatwootBaseUrl' | 'chatwootAccountId' | 'chatwootApiToken' | 'chatwootInboxName' | ChatwootFlag>;

type Given = Pick<ChatwootSettings, 'baseUrl' | 'accountId' | 'apiToken'> & Partial<Pick<ChatwootSettings, 'inboxName' | ChatwootFlag>>;

function withDefaults(given: Given): ChatwootSettings {
  const settings = { ...given, inboxName: given.inboxName ?? DEFAULT_INBOX_NAME } as ChatwootSettings;
  for (const flag of FLAG_KEYS) settings[flag] = given[flag] ?? false;
  return settings;
}

export function settingsOfSetBody(body: SetChatwootBody): ChatwootSettings {
  return withDefaults({
    ...flagsOf(body),
    baseUrl: body.chatwootBaseUrl,
    accountId: body.chatwootAccountId,
    apiToken: body.chatwootApiToken,
    inboxName: body.inboxName,
  });
}

/** The inline block once validated with `chatwootEnabled: true`, which makes the first three fields present. */
export function settingsOfInlineBlock(block: InlineChatwootBlock): ChatwootSettings {
  const flags: Partial<Record<ChatwootFlag, boolean>> = {};
  for (const flag of FLAG_KEYS) flags[flag] = block[`chatwoot${capitalize(flag)}`];
  return withDefaults({
    ...flags,
    baseUrl: block.chatwootBaseUrl!,
    accountId: block.chatwootAccountId!,
    apiToken: block.chatwootApiToken!,
    inboxName: block.chatwootInboxName,
  });
}

/** The `chatwoot` object of the bridge's create and replace (BRIDGE-API §2). */
export function toProvisionedChatwoot(s: ChatwootSettings): ProvisionRequest['chatwoot'] {
  return { base_url: s.baseUrl, account_id: s.accountId, api_token: s.apiToken, inbox_name: s.inboxName, ...snakeFlagsOf(s) };
}

export function toSettingsColumns(s: ChatwootSettings, encryptedApiToken: string): SettingsColumns {
  return {
    ...flagsOf(s),
    chatwootBaseUrl: s.baseUrl,
    chatwootAccountId: s.accountId,
    chatwootApiToken: encryptedApiToken,
    chatwootInboxName: s.inboxName,
  };
}

export function settingsOfColumns(row: SettingsColumns, apiToken: string): ChatwootSettings {
  return { ...flagsOf(row), baseUrl: row.chatwootBaseUrl, accountId: row.chatwootAccountId, apiToken, inboxName: row.chatwootInboxName };
}

function flagsOf<T extends Partial<Record<ChatwootFlag, boolean>>>(source: T): Pick<T, ChatwootFlag> {
  const flags = {} as Pick<T, ChatwootFlag>;
  for (const flag of FLAG_KEYS) flags[flag] = source[flag];
  return flags;
}

/** The flags under their snake_case names, in CHATWOOT_FLAGS order (the bridge's request, the status answer). */
export function snakeFlagsOf(source: Record<ChatwootFlag, boolean>): Record<SnakeChatwootFlag, boolean> {
  const flags = {} as Record<SnakeChatwootFlag, boolean>;
  for (const flag of FLAG_KEYS) flags[CHATWOOT_FLAGS[flag]] = source[flag];
  return flags;
}

function capitalize<K extends string>(key: K): Capitalize<K> {
  return `${key.charAt(0).toUpperCase()}${key.slice(1)}` as Capitalize<K>;
}
