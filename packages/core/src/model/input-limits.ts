/**
 * The documented limits on what a caller may pass, applied by core before
 * any store sees the call, so every provider accepts and refuses the same
 * inputs. A value past a limit is an `InvalidInputError` naming the field.
 */
export const INPUT_LIMITS = {
  /** Largest job metadata (and schedule metadata), as UTF-8 bytes of its JSON. */
  metadataBytes: 1_048_576,
  /** Deepest nesting of arrays and objects in metadata. */
  metadataDepth: 64,
  /** Longest idempotency key, in characters. */
  keyLength: 512,
  /** Longest `delayMs`: 100 years. */
  maxDelayMs: 100 * 365.25 * 24 * 3_600_000,
  /** Latest `runAt`: the end of year 9999 UTC (epoch ms). */
  maxRunAt: Date.UTC(9999, 11, 31, 23, 59, 59, 999),
  /** Longest `timeoutMs`: 100 years. */
  maxTimeoutMs: 100 * 365.25 * 24 * 3_600_000,
  /** Longest stored error stack, in characters (the rest is cut with a marker). */
  errorStackChars: 4_000,
  /** Longest stored error message, in characters. */
  errorMessageChars: 2_000,
} as const;
