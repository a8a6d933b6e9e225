import { Module } from '@nestjs/common';
import { Fleet } from './fleet.js';
import { LeasesService } from './leases.service.js';

@Module({ providers: [LeasesService, Fleet], exports: [LeasesService, Fleet] })
export class LeasesModule {}
