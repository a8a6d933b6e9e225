import { ApiProperty } from '@nestjs/swagger';

export class SentChat {
  @ApiProperty({ type: String, example: '5511999999999@s.whatsapp.net' })
  jid: string;

  @ApiProperty({ type: String, enum: ['private', 'group'] })
  type: 'private' | 'group';
}

export class SentMessageData {
  @ApiProperty({ type: String, description: "The provider's message id: `replyTo` of later sends, the media route's `messageId`, events' `id`.", example: 'wamid.HBgNNTUxMTk5OTk5OTk5ORUCABEYEjA2QkE0N0FFMkE1MUMyRjhBNAA=' })
  messageId: string;

  @ApiProperty({ type: String, enum: ['outgoing'] })
  direction: 'outgoing';

  @ApiProperty({ type: String, format: 'date-time', example: '2026-04-20T10:15:30Z' })
  timestamp: string;

  @ApiProperty({ type: SentChat })
  chat: SentChat;
}

export class RevokedMessageData {
  @ApiProperty({ type: String, description: 'The revoked message.', example: '3EB0C767D71D3F5F2A1B' })
  messageId: string;

  @ApiProperty({ type: String, description: "The revoke's own id (its `message.exchange` event of type `revoke`).", example: '3EB0A1B2C3D4E5F60718' })
  revokeId: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-04-20T10:16:02Z' })
  timestamp: string;

  @ApiProperty({ type: SentChat })
  chat: SentChat;
}

/** `200` of `POST /api/message/revoke/:instance`. */
export class RevokeMessageResponse {
  @ApiProperty({ type: Boolean, enum: [true] })
  success: true;

  @ApiProperty({ type: String, enum: ['Message revoked'] })
  message: 'Message revoked';

  @ApiProperty({ type: RevokedMessageData })
  data: RevokedMessageData;
}

/** `200` of `POST /api/message/text|media/:instance` (SPEC-MESSAGING §9). */
export class SendMessageResponse {
  @ApiProperty({ type: Boolean, enum: [true] })
  success: true;

  @ApiProperty({ type: String, enum: ['Message sent successfully'] })
  message: 'Message sent successfully';

  @ApiProperty({ type: String, enum: ['sent'] })
  status: 'sent';

  @ApiProperty({ type: SentMessageData })
  data: SentMessageData;
}
