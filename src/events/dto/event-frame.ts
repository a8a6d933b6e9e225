import { ApiProperty } from '@nestjs/swagger';

export class EventInstanceData {
  @ApiProperty({ type: String, format: 'uri', description: 'PUBLIC_URL.', example: 'https://api.example.com' })
  baseUrl: string;

  @ApiProperty({ type: String, example: 'suporte' })
  instance: string;
}

/** One text frame of `GET /ws/:instance` (SPEC-MESSAGING §10). */
export class EventFrame {
  @ApiProperty({ type: String, enum: ['message.exchange', 'message.status', 'instance.state'] })
  event: string;

  @ApiProperty({ type: 'integer', minimum: 1, description: "The event's place in the instance's log: 1, 2, 3, … with no reuse." })
  seq: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      '`message.exchange`: `{"id", "message": {"id", "direction", "timestamp", "fromMe", "chat", "sender", "type", "content", ' +
      '"media", "replyTo", "target"}}`; `message.status`: `{"id", "status", "error", "timestamp"}`; `instance.state`: ' +
      '`{"status", "reason"}`.',
  })
  data: Record<string, unknown>;

  @ApiProperty({ type: EventInstanceData })
  instanceData: EventInstanceData;
}
