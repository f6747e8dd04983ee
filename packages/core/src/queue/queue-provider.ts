/** A doorbell: "job `id` may be ready". */
export interface Bell {
  /** The job id. */
  id: string;
  /** The job's callback name, for routing to subscribers that handle it. */
  name?: string;
  /** Deliver no earlier than this (epoch ms); a hint. */
  notBefore?: number;
  /** Higher first among ready bells; a hint. @default 0 */
  priority?: number;
}

/** Options for {@link IQueueProvider.subscribe}. */
export interface SubscribeOptions {
  /** Only bells with these names (and bells without a name). All when absent. */
  names?: readonly string[];
  /**
   * How many bells the subscriber can use at once (a dispatcher passes its
   * concurrency plus prefetch): a hint for a broker's prefetch window.
   */
  capacity?: number;
}

/**
 * Receives one bell. It may return a promise, which settles once the bell
 * has been acted on (a dispatcher: once the claim it caused has come back,
 * or at once when it had no room to claim); a queue with acknowledgements
 * acknowledges the bell then. It never rejects for a dispatcher.
 */
export type BellHandler = (bell: Bell) => void | Promise<void>;

/** A live subscription. */
export interface QueueSubscription {
  /** Stops delivery to this handler. Idempotent. */
  unsubscribe(): Promise<void>;
}

/** Options for {@link IQueueProvider.enqueue}. */
export interface RingOptions {
  /** A provider-specific transaction handle: ring when it commits. */
  transaction?: unknown;
}

/**
 * What carries job ids to workers: a doorbell, not the ledger.
 *
 * Delivery is at-least-once and best-effort: a bell may arrive twice, late,
 * or (a volatile queue after a crash) never. The store decides what runs; a
 * dispatcher that hears a bell claims from the store, and a lost bell only
 * costs latency because idle dispatchers also claim on a slow timer.
 *
 * Each bell goes to one subscriber (competing consumers). Delivery is pushed
 * to the handler; implementations never busy-poll.
 */
export interface IQueueProvider {
  /** Starts every error message this queue raises. */
  readonly providerName: string;

  /** Rings bells; may wait (backpressure) when the queue is bounded and full. */
  enqueue(bells: readonly Bell[], options?: RingOptions): Promise<void>;

  /** Delivers each bell, when due, to one of the subscribed handlers. */
  subscribe(handler: BellHandler, options?: SubscribeOptions): Promise<QueueSubscription>;

  /** Stops delivery and releases resources. Idempotent. */
  close(): Promise<void>;
}
