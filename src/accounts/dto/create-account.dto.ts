import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { ClosedSchema } from '../../openapi/api-endpoint.decorator.js';

// class-validator runs stacked decorators bottom-up: the first check is the last line.
@ClosedSchema({ name: 'CreateAccountRequest', description: 'Account names need not be unique.' })
export class CreateAccountDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 200, example: 'acme' })
  @MaxLength(200, { message: 'name must be at most 200 characters' })
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name is required' })
  name: string;

  /** Omitted = unlimited. */
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    example: 10,
    description: 'How many instances the account may have; omitted = unlimited.',
  })
  @Min(0, { message: 'instanceQuota must be an integer greater than or equal to 0' })
  @IsInt({ message: 'instanceQuota must be an integer greater than or equal to 0' })
  @IsOptional()
  instanceQuota?: number;
}
