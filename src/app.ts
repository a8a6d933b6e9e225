import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import { AppModule } from './app.module.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { accessLogMiddleware } from './common/http/access-log.middleware.js';
import { jsonBodyMiddleware } from './common/http/json-body.js';
import { answerClientError } from './common/http/client-error.js';
import { docsContentSecurityPolicy, securityHeaders } from './common/http/security-headers.js';
import { mediaUploadRoute } from './messages/messages.limits.js';
import { requestIdMiddleware } from './common/http/request-id.middleware.js';
import { AppLogger } from './common/logging/app-logger.js';
import { RateLimitMiddleware } from './common/rate-limit/rate-limit.middleware.js';
import { AppConfig } from './config/config.js';
import { mountManagerPage } from './manager/manager-page.js';
import { MetricsService } from './metrics/metrics.service.js';
import { setupOpenApi } from './openapi/openapi.js';

/** Everything between "the modules exist" and "the server listens": main.ts and every e2e test share it. */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.disable('x-powered-by');
  (app.getHttpServer() as Server).on('clientError', answerClientError);
  app.use(securityHeaders());
  app.use('/docs', docsContentSecurityPolicy());
  app.set('etag', false);
  // The client's address for the per-address limits (SPEC §1 TRUST_PROXY): the socket's unless
  // that many proxies in front are trusted to append to X-Forwarded-For.
  app.set('trust proxy', config.trustProxy);
  app.use(requestIdMiddleware);
  app.use(accessLogMiddleware(app.getHttpAdapter().getInstance(), app.get(MetricsService)));
  if (config.roles.includes('api')) {
    const rateLimit = app.get(RateLimitMiddleware);
    const limit = (req: Request, res: Response, next: NextFunction) => void rateLimit.use(req, res, next);
    app.use('/api', limit);
    app.use('/ws', limit);
  }
  app.use(jsonBodyMiddleware([mediaUploadRoute(config)]));
  // The operator page talks to the API of this process: served where the API is.
  if (config.roles.includes('api')) mountManagerPage(app.getHttpAdapter().getInstance(), config.managerDir);
  app.useGlobalFilters(new AllExceptionsFilter());
  setupOpenApi(app, config);
}

export async function createApp(config: AppConfig, logger?: LoggerService | false): Promise<NestExpressApplication> {
  const appLogger = logger ?? AppLogger.forConfig(config);
  // The secrets the cipher handles reach the logger that scrubs this app's lines.
  const plaintexts = appLogger instanceof AppLogger ? appLogger.knownSecrets : null;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, plaintexts), new ExpressAdapter(), {
    bodyParser: false,
    logger: appLogger,
    abortOnError: false,
  });
  configureApp(app, config);
  return app;
}
