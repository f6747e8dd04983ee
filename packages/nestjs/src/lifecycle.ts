import type { JobDispatcher } from '@jobservice/core';
import type {
  BeforeApplicationShutdown,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { ResolvedJobServiceOptions } from './options.js';

/**
 * Ties the dispatcher and the providers to the Nest application's life:
 *
 * - `onApplicationBootstrap`: `dispatcher.start()` (after every module's
 *   `onModuleInit`, so the services callbacks use are ready);
 * - `beforeApplicationShutdown`: `dispatcher.stop()`, graceful: no new
 *   claims, running jobs get the dispatcher's `graceMs`, then their signals
 *   abort and their leases are released without spending the attempt;
 * - `onApplicationShutdown`: closes the store and the queue when the module
 *   owns them (`closeProviders`).
 *
 * Registered by {@link JobServiceModule}; exported for apps that inject it
 * to await the stop themselves.
 */
export class JobServiceLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private closed: Promise<void> | undefined;

  /**
   * @param options the resolved module options
   * @param dispatcher the module's dispatcher, or `null` when disabled
   */
  constructor(
    private readonly options: ResolvedJobServiceOptions,
    private readonly dispatcher: JobDispatcher | null,
  ) {}

  /** Starts the dispatcher. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.dispatcher && this.dispatcher.state === 'new') await this.dispatcher.start();
  }

  /** Stops the dispatcher gracefully (resolves when every running job has settled or been released). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.dispatcher && this.dispatcher.state !== 'new') await this.dispatcher.stop();
  }

  /** Closes the store and the queue if the module owns them (once). */
  onApplicationShutdown(): Promise<void> {
    this.closed ??= this.closeProviders();
    return this.closed;
  }

  private async closeProviders(): Promise<void> {
    // A dispatcher that never started has nothing running; one that did was stopped above.
    if (this.dispatcher && this.dispatcher.state !== 'new') await this.dispatcher.stop();
    if (!this.options.closeProviders) return;
    const { store, queue } = this.options;
    if (queue && (queue as unknown) !== store) await queue.close();
    await store.close();
  }
}
