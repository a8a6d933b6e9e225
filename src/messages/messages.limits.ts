import type { AppConfig } from '../config/config.js';
import type { LargeBodyRoute } from '../common/http/json-body.js';

/**
 * SPEC-MESSAGING §9: `POST /api/message/media` takes the file as base64, so its body may be
 * MEDIA_MAX_BYTES × 4/3, plus room for the other fields.
 */
export function mediaUploadRoute(config: Pick<AppConfig, 'mediaMaxBytes'>): LargeBodyRoute {
  return { method: 'POST', path: /^\/api\/message\/media\/[^/]+\/?$/i, limitBytes: Math.ceil((config.mediaMaxBytes * 4) / 3) + 64 * 1024 };
}
