import { bodyErrors, type EndpointDoc, type ErrorDoc } from '../openapi/api-endpoint.decorator.js';
import { CreateInstanceDto, isIgnoredInstanceField } from './dto/create-instance.dto.js';
import {
  CreatedInstanceResponse, DeletedInstanceResponse, InlineChatwootActivated, InlineChatwootFailed, InstanceListResponse,
} from './dto/instance.response.js';
import { BODY_ERROR_PREFIX, type InstanceErrorCode } from './instances.errors.js';
import { instanceErrorAnswer } from './instances.filter.js';

/**
 * The documented errors of an instances route: status and message come from the filter's own
 * mapping (SPEC §4), so the document cannot drift from the answers.
 */
function instanceErrors(when: Partial<Record<InstanceErrorCode, string>>): ErrorDoc[] {
  return (Object.entries(when) as Array<[InstanceErrorCode, string]>).map(([code, text]) => {
    const [status, message] = instanceErrorAnswer(code);
    return { status, key: code, message, when: text };
  });
}

/** The routes of SPEC §4, as `ApiEndpoint` documents them. */
export const CREATE_INSTANCE: EndpointDoc = {
  summary: 'Create an instance',
  description:
    "Creates an instance of the caller's account and returns its TokenInstance, shown only here. With " +
    '`chatwootEnabled: true` the chatwoot integration is activated too; an activation failure does not abort the ' +
    'creation: `chatwoot` then says `enabled: false` with the error. Rate limited by its own budget ' +
    '(`RATE_LIMIT_CREATE_PER_MINUTE`).',
  auth: 'account',
  success: { status: 201, type: CreatedInstanceResponse, description: 'Instance created' },
  errors: [
    ...bodyErrors(
      CreateInstanceDto,
      BODY_ERROR_PREFIX,
      [
        { key: 'badName', when: 'a field breaks its rule', body: { name: 'not a valid name' } },
        {
          key: 'inlineChatwoot',
          when: 'chatwootEnabled is true and the inline block breaks a rule of the set body (no instance is created)',
          body: {
            name: 'suporte', chatwootEnabled: true, chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: '5',
            chatwootApiToken: 'x',
          },
        },
        {
          key: 'cloudFields',
          when: 'provider "cloud" without all four cloud* fields, or a cloud* field without provider "cloud"',
          body: { name: 'suporte', provider: 'cloud', cloudPhoneNumberId: '1234567890' },
        },
        {
          key: 'unknownField',
          when: 'the body has a field that is neither documented nor ignored',
          body: { name: 'suporte', color: 'blue' },
        },
      ],
      isIgnoredInstanceField,
    ),
    ...instanceErrors({
      QUOTA_EXCEEDED: 'the account already has as many instances as its instanceQuota',
      NAME_IN_USE: 'the account already has an instance of that name',
      TOKEN_IN_USE: 'the custom token is already a token of this server',
      PHONE_NUMBER_IN_USE: 'provider "cloud": another instance of this server has that cloudPhoneNumberId',
    }),
  ],
  extraModels: [InlineChatwootActivated, InlineChatwootFailed],
};

export const LIST_INSTANCES: EndpointDoc = {
  summary: 'List instances',
  description:
    'A TokenAccount sees the instances of its account, filtered by `instanceName` (unknown names ignored); a ' +
    'TokenInstance sees only its own instance and the filter is ignored. `chatwoot` is local data only.',
  auth: 'any',
  success: { status: 200, type: InstanceListResponse, description: '`<N> Instances found` (`1 Instance found` when N is 1)' },
  errors: instanceErrors({ NOT_FOUND: 'a single name was asked in `instanceName` and the account has no instance of that name' }),
};

export const DELETE_INSTANCE: EndpointDoc = {
  summary: 'Delete an instance',
  description:
    'Removes the instance and its chatwoot integration (the bridge integration is deleted as by ' +
    '`DELETE /api/chatwoot/delete`, the inbox preserved).',
  auth: 'account',
  success: { status: 200, type: DeletedInstanceResponse, description: 'Instance deleted' },
  errors: instanceErrors({ NOT_FOUND: 'the account has no instance of that name' }),
};
