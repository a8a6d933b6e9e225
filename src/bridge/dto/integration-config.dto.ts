import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsBoolean, IsDefined, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength,
  ValidateNested,
} from 'class-validator';
import { HttpUrlRule } from '../../common/http-url.js';
import { NoNulCharacter, VISIBLE_ASCII, WellFormedText } from '../../common/http/text-rules.js';

function HttpUrl(): PropertyDecorator {
  return applyDecorators(
    IsDefined({ message: '$property is required' }),
    IsString({ message: '$property must be a string' }),
    MaxLength(2048, { message: '$property must be at most 2048 characters' }),
    HttpUrlRule(),
  );
}

// applyDecorators keeps the listed order, which is the order rules are checked in (and the first
// failure is the one reported); stacked decorators would register bottom-up.
// Every text is stored (PostgreSQL text holds no NUL) and may reach a header or a URL (no lone
// surrogate); the Chatwoot token is sent as a header, so visible ASCII only (SPEC §5).
function Text(max: number, opts: { notBlank?: boolean; header?: boolean } = {}): PropertyDecorator {
  return applyDecorators(
    IsDefined({ message: '$property is required' }),
    IsString({ message: '$property must be a string' }),
    MinLength(1, { message: '$property must not be empty' }),
    MaxLength(max, { message: `$property must be at most ${max} characters` }),
    ...(opts.notBlank ? [Matches(/\S/, { message: '$property must not be blank' })] : []),
    NoNulCharacter({ message: '$property must not contain the NUL character (U+0000)' }),
    WellFormedText({ message: '$property must not contain a lone surrogate' }),
    ...(opts.header ? [Matches(VISIBLE_ASCII, { message: '$property must be visible ASCII characters only' })] : []),
  );
}

function PositiveInt(): PropertyDecorator {
  const message = '$property must be an integer greater than 0';
  return applyDecorators(
    IsDefined({ message: '$property is required' }),
    IsInt({ message }),
    Min(1, { message }),
    // Chatwoot's ids are PostgreSQL integers.
    Max(2_147_483_647, { message: '$property must be at most 2147483647' }),
  );
}

function Flag(): PropertyDecorator {
  return applyDecorators(IsOptional(), IsBoolean({ message: '$property must be a boolean' }));
}

function Nested(type: () => new () => object): PropertyDecorator {
  return applyDecorators(
    IsDefined({ message: '$property is required' }),
    IsObject({ message: '$property must be an object' }),
    ValidateNested(),
    Type(type),
  );
}

export class IntegrationChatwootDto {
  @HttpUrl()
  base_url: string;

  @PositiveInt()
  account_id: number;

  @Text(512, { header: true })
  api_token: string;

  /** Chatwoot's own limit on inbox names (CONTRACT §2 lists 255 for names). */
  @Text(255, { notBlank: true })
  inbox_name: string;

  @Flag()
  sign_messages?: boolean;

  @Flag()
  ignore_groups?: boolean;

  @Flag()
  start_as_pending?: boolean;

  @Flag()
  reopen_resolved?: boolean;
}

export class IntegrationSourceDto {
  @HttpUrl()
  api_url: string;

  @Text(200)
  instance: string;

  @Text(512)
  token: string;

  /**
   * This project's addition: the instance's last event `seq` when the activation began. A new
   * integration routes the events after it; without it, everything the API still keeps.
   */
  @IsOptional()
  @IsInt({ message: '$property must be a non-negative integer' })
  @Min(0, { message: '$property must be a non-negative integer' })
  @Max(Number.MAX_SAFE_INTEGER, { message: '$property must be a non-negative integer' })
  after?: number;
}

/** The body of create and replace (BRIDGE-API §2). */
export class IntegrationConfigDto {
  @Text(200)
  external_id: string;

  @Text(200)
  instance: string;

  @Nested(() => IntegrationChatwootDto)
  chatwoot: IntegrationChatwootDto;

  @Nested(() => IntegrationSourceDto)
  source: IntegrationSourceDto;
}
