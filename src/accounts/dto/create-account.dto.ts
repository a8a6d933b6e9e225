import { IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';

// class-validator runs stacked decorators bottom-up: the first check is the last line.
export class CreateAccountDto {
  @MaxLength(200, { message: 'name must be at most 200 characters' })
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name is required' })
  name: string;

  /** Omitted = unlimited. */
  @Min(0, { message: 'instanceQuota must be an integer greater than or equal to 0' })
  @IsInt({ message: 'instanceQuota must be an integer greater than or equal to 0' })
  @IsOptional()
  instanceQuota?: number;
}
