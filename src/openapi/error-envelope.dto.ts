import { ApiProperty } from '@nestjs/swagger';

/** The documented shape of `error` in the envelope (SPEC §2). */
export class ErrorDetail {
  @ApiProperty({ type: String, description: 'The exact, documented message (see the response examples).' })
  message: string;
}

/** `{"success": false, "error": {"message": …}}`: every error of every route (SPEC §2). */
export class ErrorEnvelope {
  @ApiProperty({ type: Boolean, enum: [false] })
  success: false;

  @ApiProperty({ type: ErrorDetail })
  error: ErrorDetail;
}
