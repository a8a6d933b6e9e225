import { IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';

export class CreateAccountDto {
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name is required' })
  @MaxLength(200, { message: 'name must be at most 200 characters' })
  name: string;

  /** Omitted = unlimited. */
  @IsOptional()
  @IsInt({ message: 'instanceQuota must be an integer greater than or equal to 0' })
  @Min(0, { message: 'instanceQuota must be an integer greater than or equal to 0' })
  instanceQuota?: number;
}
