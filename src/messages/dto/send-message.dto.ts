import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CodePointLength } from '../../common/http/text-rules.js';
import { ClosedSchema } from '../../openapi/api-endpoint.decorator.js';

/** SPEC-MESSAGING §9: a phone number (`+` optional, 8–15 digits) or a WhatsApp JID. */
export const RECIPIENT = /^(\+?\d{8,15}|\d{5,20}@s\.whatsapp\.net|\d{5,25}@lid|\d{5,25}(-\d{5,15})?@g\.us)$/;
export const RECIPIENT_MESSAGE = 'number must be a phone number or a WhatsApp JID';

/** The `Idempotency-Key` header (SPEC-MESSAGING §9). */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;
export const IDEMPOTENCY_KEY_MESSAGE = 'Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -';

/** Checked after the field rules: the DTO alone cannot say "exactly one of". */
export const ONE_SOURCE_MESSAGE = 'exactly one of mediaUrl or mediaBase64 is required';

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document'] as const;

/** A provider's message id: what `replyTo` names and the media route takes. */
const MESSAGE_ID = /^[A-Za-z0-9._:=+/-]{1,255}$/;

function Recipient(): PropertyDecorator {
  return (target, key) => {
    ApiProperty({
      type: String,
      description: 'A phone number (`+` optional, 8–15 digits), or a JID: `<digits>@s.whatsapp.net`, `<id>@lid`, `<id>@g.us`.',
      example: '+5511999999999',
    })(target, key);
    Matches(RECIPIENT, { message: RECIPIENT_MESSAGE })(target, key);
    IsString({ message: RECIPIENT_MESSAGE })(target, key);
    IsDefined({ message: RECIPIENT_MESSAGE })(target, key);
  };
}

function ReplyTo(): PropertyDecorator {
  return (target, key) => {
    ApiPropertyOptional({ type: String, description: 'The `messageId` of a message of this instance to reply to (quote).' })(target, key);
    Matches(MESSAGE_ID, { message: 'replyTo must be a message id' })(target, key);
    IsString({ message: 'replyTo must be a string' })(target, key);
    IsOptional()(target, key);
  };
}

// class-validator runs stacked decorators bottom-up: the first check is the last line.

/** Body of `POST /api/message/revoke/:instance`. */
@ClosedSchema({ name: 'RevokeMessageRequest', description: 'Unknown fields are a 400.' })
export class RevokeMessageDto {
  @ApiProperty({ type: String, description: 'The `messageId` of a message this instance sent.', example: '3EB0C767D71D3F5F2A1B' })
  @Matches(MESSAGE_ID, { message: 'messageId must be a message id' })
  @IsString({ message: 'messageId must be a message id' })
  @IsDefined({ message: 'messageId is required' })
  messageId: string;
}

/** Body of `POST /api/message/text/:instance` (SPEC-MESSAGING §9). */
@ClosedSchema({ name: 'SendTextRequest', description: 'Unknown fields are a 400.' })
export class SendTextDto {
  @Recipient()
  number: string;

  @ApiProperty({ type: String, minLength: 1, maxLength: 4096, description: '1 to 4096 characters.', example: 'Olá!' })
  @CodePointLength(1, 4096, { message: 'message must be 1 to 4096 characters' })
  @IsString({ message: 'message must be a string' })
  @IsDefined({ message: 'message is required' })
  message: string;

  @ReplyTo()
  replyTo?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'Show a preview of the first link.' })
  @IsBoolean({ message: 'linkPreview must be a boolean' })
  @IsOptional()
  linkPreview?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 30, description: 'Seconds of "typing…" before sending (Baileys; ignored by the Cloud API).' })
  @Max(30, { message: 'delay must be an integer from 0 to 30' })
  @Min(0, { message: 'delay must be an integer from 0 to 30' })
  @IsInt({ message: 'delay must be an integer from 0 to 30' })
  @IsOptional()
  delay?: number;
}

/** Body of `POST /api/message/media/:instance` (SPEC-MESSAGING §9). */
@ClosedSchema({ name: 'SendMediaRequest', description: 'Exactly one of `mediaUrl` or `mediaBase64`. Unknown fields are a 400.' })
export class SendMediaDto {
  @Recipient()
  number: string;

  @ApiProperty({ type: String, enum: MEDIA_TYPES })
  @IsIn(MEDIA_TYPES, { message: 'type must be one of image, video, audio, document' })
  @IsDefined({ message: 'type is required' })
  type: (typeof MEDIA_TYPES)[number];

  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    description: 'An http or https URL the server fetches (public addresses only, at most MEDIA_MAX_BYTES).',
  })
  @MaxLength(2048, { message: 'mediaUrl must be at most 2048 characters' })
  @Matches(/^https?:\/\/[^\s]+$/i, { message: 'mediaUrl must be an http or https URL' })
  @IsString({ message: 'mediaUrl must be a string' })
  @IsOptional()
  mediaUrl?: string;

  @ApiPropertyOptional({ type: String, format: 'byte', description: 'The file, base64-encoded (at most MEDIA_MAX_BYTES once decoded).' })
  @Matches(/^[A-Za-z0-9+/\r\n]*={0,2}$/, { message: 'mediaBase64 must be base64' })
  @IsString({ message: 'mediaBase64 must be a string' })
  @IsOptional()
  mediaBase64?: string;

  @ApiPropertyOptional({ type: String, description: 'The MIME type; sniffed from the bytes when omitted.', example: 'image/jpeg' })
  @Matches(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(;.*)?$/i, { message: 'mimetype must be a MIME type' })
  @MaxLength(255, { message: 'mimetype must be at most 255 characters' })
  @IsString({ message: 'mimetype must be a string' })
  @IsOptional()
  mimetype?: string;

  @ApiPropertyOptional({ type: String, maxLength: 255, description: 'The file name shown for documents.' })
  @CodePointLength(1, 255, { message: 'fileName must be 1 to 255 characters' })
  @IsString({ message: 'fileName must be a string' })
  @IsOptional()
  fileName?: string;

  @ApiPropertyOptional({ type: String, maxLength: 1024 })
  @CodePointLength(0, 1024, { message: 'caption must be at most 1024 characters' })
  @IsString({ message: 'caption must be a string' })
  @IsOptional()
  caption?: string;

  @ReplyTo()
  replyTo?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'Send audio as a voice note.' })
  @IsBoolean({ message: 'voice must be a boolean' })
  @IsOptional()
  voice?: boolean;
}
