import { JobServiceModule } from '@jobservice/nestjs';
import { ChannelQueueProvider } from '@jobservice/provider-channel';
import { FileSystemDocumentProvider } from '@jobservice/provider-fs';
import { type DynamicModule, Module } from '@nestjs/common';
import { SendWelcome } from './send-welcome.job.js';
import { ShutdownLogger } from './shutdown-logger.service.js';
import { WelcomeController } from './welcome.controller.js';
import { WelcomeMailer } from './welcome-mailer.service.js';

/** Holds the mailer and exports it to the job module, where the callback is resolved. */
@Module({ providers: [WelcomeMailer], exports: [WelcomeMailer] })
export class MailModule {}

/** The app: the controller, the mailer, and jobservice on a folder store with an in-process doorbell. */
export function appModule(dataDir: string): DynamicModule {
  return {
    module: AppModule,
    imports: [
      MailModule,
      JobServiceModule.forRootAsync({
        imports: [MailModule], // SendWelcome injects WelcomeMailer
        callbacks: [SendWelcome],
        // The module builds the store and the queue here, so it also closes them at shutdown.
        useFactory: async () => ({
          store: await FileSystemDocumentProvider.open({ root: `${dataDir}/jobs` }),
          queue: new ChannelQueueProvider(),
          dispatcher: { concurrency: 4, graceMs: 10_000 },
        }),
      }),
    ],
    controllers: [WelcomeController],
    providers: [ShutdownLogger],
  };
}

@Module({})
export class AppModule {}
