import { All, Controller, UseFilters } from '@nestjs/common';
import { BridgeError } from './bridge.errors.js';
import { BridgeExceptionFilter } from './bridge-exception.filter.js';

/**
 * Unknown paths and methods under /v1 answer in the BRIDGE-API §4 shape rather than the `/api`
 * envelope. Registered after the bridge's other controllers, so it only catches what they don't.
 */
@Controller('v1')
@UseFilters(BridgeExceptionFilter)
export class BridgeFallbackController {
  @All('*path')
  unknownBridgeRoute(): never {
    throw new BridgeError('not_found', 'no such route');
  }
}
