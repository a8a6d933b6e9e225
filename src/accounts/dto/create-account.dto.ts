import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, Min } from 'class-validator';
import { CodePointLength, NoNulCharacter } from '../../common/http/text-rules.js';
import { ClosedSchema } from '../../openapi/api-endpoint.decorator.js';

/** The largest value of the `integer` column. */
const MAX_QUOTA = 2_147_483_647;

// class-validator runs stacked decorators bottom-up: the first check is the last line.
@ClosedSchema({ name: 'CreateAccountRequest', description: 'Account names need not be unique.' })
export class CreateAccountDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 200, example: 'acme' })
  @NoNulCharacter({ message: 'name must not contain the NUL character (U+0000)' })
  @CodePointLength(0, 200, { message: 'name must be at most 200 characters' })
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name is required' })
  name: string;

  /** Omitted = unlimited. */
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_QUOTA,
    example: 10,
    description: 'How many instances the account may have; omitted = unlimited.',
  })
  @Max(MAX_QUOTA, { message: `instanceQuota must be at most ${MAX_QUOTA}` })
  @Min(0, { message: 'instanceQuota must be an integer greater than or equal to 0' })
  @IsInt({ message: 'instanceQuota must be an integer greater than or equal to 0' })
  @IsOptional()
  instanceQuota?: number;
}
