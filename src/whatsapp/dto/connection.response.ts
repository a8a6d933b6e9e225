import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INSTANCE_STATUSES } from '../../instances/instance.entity.js';

/** `200` of `GET /api/instance/connect/:instance` (SPEC-MESSAGING §8). */
export class ConnectResponse {
  @ApiProperty({ type: Boolean, enum: [true] })
  success: true;

  @ApiProperty({
    type: String,
    enum: ['Instance already connected', 'Instance connected', 'Scan the QR code with WhatsApp', 'Enter the pairing code in WhatsApp', 'Instance reconnecting'],
  })
  message: string;

  @ApiProperty({ type: String, enum: ['connected', 'qr_ready', 'pairing_code', 'connecting'] })
  status: 'connected' | 'qr_ready' | 'pairing_code' | 'connecting';

  @ApiPropertyOptional({ type: String, description: 'With `qr_ready`: the raw QR string (a new one every ~20 s; call again for the current one).' })
  qrCode?: string;

  @ApiPropertyOptional({ type: String, description: 'With `qr_ready`: the QR code as a PNG data URL.', example: 'data:image/png;base64,iVBORw0KGgo…' })
  qrCodeBase64?: string;

  @ApiPropertyOptional({ type: String, description: 'With `pairing_code` (`?phone=`): 8 characters to enter in WhatsApp → Linked devices.', example: 'ABCD1234' })
  pairingCode?: string;
}

/** `200` of `POST /api/instance/reconnect/:instance` (SPEC-MESSAGING §8). */
export class ReconnectResponse {
  @ApiProperty({ type: Boolean, enum: [true] })
  success: true;

  @ApiProperty({ type: String, enum: ['Instance reconnecting', 'Instance connected'] })
  message: string;

  @ApiProperty({ type: String, enum: ['connecting', 'connected'] })
  status: 'connecting' | 'connected';
}

export class LoggedOutInstance {
  @ApiProperty({ type: String, example: 'suporte' })
  name: string;

  @ApiProperty({ type: String, enum: [...INSTANCE_STATUSES], example: 'disconnected' })
  status: 'disconnected';
}

/** `200` of `DELETE /api/instance/logout/:instance` (SPEC-MESSAGING §8). */
export class LogoutResponse {
  @ApiProperty({ type: Boolean, enum: [true] })
  success: true;

  @ApiProperty({ type: String, enum: ['Instance logged out'] })
  message: 'Instance logged out';

  @ApiProperty({ type: LoggedOutInstance })
  instance: LoggedOutInstance;
}
