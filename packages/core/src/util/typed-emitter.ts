import { EventEmitter } from 'node:events';

/**
 * An EventEmitter whose event names and payloads are typed by `Events`
 * (`{ completed: CompletedEvent; … }`). A listener that throws is reported
 * through `error` instead of breaking the emitter's caller.
 */
export class TypedEmitter<Events extends object> {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Adds a listener. */
  on<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  /** Adds a listener that runs once. */
  once<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): this {
    this.emitter.once(event, listener);
    return this;
  }

  /** Removes a listener. */
  off<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  /** True when someone listens (so payloads are only built when needed). */
  protected listens(event: keyof Events & string): boolean {
    return this.emitter.listenerCount(event) > 0;
  }

  /** Emits; a throwing listener is logged to `onListenerError`. */
  protected emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    if (this.emitter.listenerCount(event) === 0) return;
    try {
      this.emitter.emit(event, payload);
    } catch (error) {
      this.onListenerError(event, error);
    }
  }

  /** Called when a listener throws. */
  protected onListenerError(_event: string, _error: unknown): void {}
}
