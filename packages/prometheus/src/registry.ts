import { InvalidInputError } from '@jobservice/core';
import type { OpenMetricsContentType, PrometheusContentType, Registry } from 'prom-client';

/** A prom-client registry of either content type. */
export type AnyRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;

/**
 * Checks that `registry` looks like a prom-client registry and has none of
 * `names` registered yet; throws an `InvalidInputError` naming `registry`.
 */
export function checkRegistry(registry: unknown, names: readonly string[]): AnyRegistry {
  const candidate = registry as Partial<AnyRegistry> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.registerMetric !== 'function' ||
    typeof candidate.getSingleMetric !== 'function' ||
    typeof candidate.metrics !== 'function'
  ) {
    throw new InvalidInputError('registry', 'must be a prom-client Registry');
  }
  const taken = names.filter((name) => candidate.getSingleMetric?.(name) !== undefined);
  if (taken.length > 0) {
    throw new InvalidInputError(
      'registry',
      `already has ${taken.join(', ')}: pass another prefix or another registry`,
    );
  }
  return candidate as AnyRegistry;
}
