import type { JobDispatcher, JobManager } from '@jobservice/core';
import { InvalidInputError } from '@jobservice/core';
import type { PrometheusContentType, Registry, RegistryContentType } from 'prom-client';

/** The histogram buckets, in seconds, when none are given: 5 ms to 1 h. */
export const DEFAULT_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
]);

/** The metric name prefix when none is given. */
export const DEFAULT_PREFIX = 'jobservice_';

/** A valid metric name prefix: `[a-zA-Z_:][a-zA-Z0-9_:]*`, or empty. */
const PREFIX_PATTERN = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?$/;

/** What {@link prometheusMetrics} takes. Every field is optional. */
export interface PrometheusMetricsOptions<T extends RegistryContentType = PrometheusContentType> {
  /** Counts `enqueued` and feeds the `jobs` gauge (read at each scrape). */
  manager?: JobManager;
  /** Counts attempts and their outcomes and times them. */
  dispatcher?: JobDispatcher;
  /** Where the metrics are registered; a new registry (not prom-client's global one) by default. */
  registry?: Registry<T>;
  /** Prepended to every metric name; `jobservice_` by default. Empty, or `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
  prefix?: string;
  /** Histogram upper bounds in seconds, ascending, positive and finite; {@link DEFAULT_BUCKETS_SECONDS} by default. */
  buckets?: readonly number[];
  /** Also register prom-client's default process metrics (unprefixed) on the registry; off by default. */
  collectDefaultMetrics?: boolean;
}

/** The options after validation and defaults. */
export interface ResolvedOptions {
  manager: JobManager | undefined;
  dispatcher: JobDispatcher | undefined;
  prefix: string;
  buckets: number[];
  collectDefaultMetrics: boolean;
}

/**
 * Checks `options` and fills in defaults; throws an `InvalidInputError`
 * naming the field on bad input. The registry is checked by the caller.
 */
export function resolveOptions(
  options: PrometheusMetricsOptions<RegistryContentType> | undefined,
): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidInputError('options', 'must be an object or undefined');
  }
  const { manager, dispatcher, prefix = DEFAULT_PREFIX, buckets, collectDefaultMetrics } = options ?? {};
  if (manager !== undefined && typeof manager?.countJobs !== 'function') {
    throw new InvalidInputError('manager', 'must be a JobManager');
  }
  if (dispatcher !== undefined && typeof dispatcher?.on !== 'function') {
    throw new InvalidInputError('dispatcher', 'must be a JobDispatcher');
  }
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new InvalidInputError(
      'prefix',
      `must be empty or match [a-zA-Z_:][a-zA-Z0-9_:]* (got ${JSON.stringify(prefix)})`,
    );
  }
  if (collectDefaultMetrics !== undefined && typeof collectDefaultMetrics !== 'boolean') {
    throw new InvalidInputError('collectDefaultMetrics', 'must be a boolean');
  }
  return {
    manager,
    dispatcher,
    prefix,
    buckets: buckets === undefined ? [...DEFAULT_BUCKETS_SECONDS] : checkBuckets(buckets),
    collectDefaultMetrics: collectDefaultMetrics ?? false,
  };
}

function checkBuckets(buckets: readonly number[]): number[] {
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw new InvalidInputError('buckets', 'must be a non-empty array of upper bounds in seconds');
  }
  buckets.forEach((bound, i) => {
    if (typeof bound !== 'number' || !Number.isFinite(bound) || bound <= 0) {
      throw new InvalidInputError(
        'buckets',
        `buckets[${i}] must be a positive finite number of seconds (got ${bound})`,
      );
    }
    const previous = buckets[i - 1];
    if (previous !== undefined && bound <= previous) {
      throw new InvalidInputError(
        'buckets',
        `buckets[${i}] must be greater than buckets[${i - 1}] (${previous})`,
      );
    }
  });
  return [...buckets];
}
