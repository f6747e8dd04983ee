import { JobDispatcher } from '@jobservice/core';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';

/** Prints how the app went down: by then the module has stopped the dispatcher. */
@Injectable()
export class ShutdownLogger implements OnApplicationShutdown {
  constructor(private readonly dispatcher: JobDispatcher) {}

  onApplicationShutdown(signal?: string): void {
    console.log(`[app] shut down${signal ? ` on ${signal}` : ''}: dispatcher ${this.dispatcher.state}`);
  }
}
