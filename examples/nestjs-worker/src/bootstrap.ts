import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { appModule } from './app.module.js';

/** Where and how to run the app. */
export interface AppSettings {
  /** HTTP port; `0` picks a free one. */
  port: number;
  /** Folder for the job store. */
  dataDir: string;
}

/**
 * Creates the app and listens on `127.0.0.1:port`. Shutdown hooks are on:
 * SIGTERM/SIGINT run `app.close()`, which stops the dispatcher gracefully
 * (running jobs finish within `graceMs`) and then closes the store.
 */
export async function startApp(settings: AppSettings): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(appModule(settings.dataDir), { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(settings.port, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}
