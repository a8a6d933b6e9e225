import { INestApplication, Logger, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { jsonBodyMiddleware } from './common/http/json-body.js';
import { requestIdMiddleware } from './common/http/request-id.middleware.js';
import { RateLimitMiddleware } from './common/rate-limit/rate-limit.middleware.js';
import { AppConfig } from './config/config.js';

/**
 * Everything between "the modules exist" and "the server listens", shared by main.ts and every
 * e2e test so that tests exercise exactly the production pipeline.
 */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestIdMiddleware);
  if (config.roles.includes('api')) {
    const rateLimit = app.get(RateLimitMiddleware);
    app.use('/api', (req: Request, res: Response, next: NextFunction) => void rateLimit.use(req, res, next));
  }
  app.use(jsonBodyMiddleware());
  app.useGlobalFilters(new AllExceptionsFilter());
}

export async function createApp(config: AppConfig, logger?: LoggerService | false): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: logger ?? new Logger(),
    abortOnError: false,
  });
  configureApp(app, config);
  return app;
}

export type App = INestApplication;
