import { Module } from '@nestjs/common';
import { LeasesService } from './leases.service.js';

@Module({ providers: [LeasesService], exports: [LeasesService] })
export class LeasesModule {}
