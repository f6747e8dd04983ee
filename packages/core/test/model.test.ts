import { describe, expect, it } from 'vitest';
import { assertJson, computeBackoffDelay, hasErrorCode, InvalidInputError } from '../src/index.js';

describe('assertJson', () => {
  it('accepts plain JSON', () => {
    expect(() => assertJson({ a: [1, 'x', null, true, { b: -2.5 }] }, 'metadata')).not.toThrow();
  });

  it.each([
    [{ when: new Date() }, 'metadata.when: Date is not JSON'],
    [{ a: [1, undefined] }, 'metadata.a[1]: undefined is not JSON'],
    [{ n: Number.NaN }, 'metadata.n: NaN is not JSON'],
    [{ f: () => 1 }, 'metadata.f: function is not JSON'],
    [{ big: 1n }, 'metadata.big: bigint is not JSON'],
    [{ m: new Map() }, 'metadata.m: Map is not JSON'],
  ])('rejects %o naming the path', (value, message) => {
    let error: unknown;
    try {
      assertJson(value, 'metadata');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('metadata');
    expect((error as Error).message).toContain(message);
    expect(hasErrorCode(error, 'INVALID_INPUT')).toBe(true);
  });

  it('rejects cycles', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => assertJson(a, 'metadata')).toThrow(/circular/);
  });
});

describe('computeBackoffDelay', () => {
  it('is fixed for fixed', () => {
    expect(computeBackoffDelay({ type: 'fixed', delayMs: 250 }, 4, null)).toBe(250);
  });

  it('doubles per attempt up to the cap, without jitter', () => {
    const policy = { type: 'exponential' as const, baseMs: 100, maxMs: 1_000, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((a) => computeBackoffDelay(policy, a, null))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('spreads by the jitter fraction', () => {
    const policy = { type: 'exponential' as const, baseMs: 1_000, maxMs: 60_000, jitter: 0.5 };
    expect(computeBackoffDelay(policy, 1, null, undefined, () => 0)).toBe(500);
    expect(computeBackoffDelay(policy, 1, null, undefined, () => 0.999999)).toBe(1_500);
  });

  it('asks the callback for custom policies', () => {
    expect(computeBackoffDelay({ type: 'custom' }, 3, null, (attempt) => attempt * 7)).toBe(21);
  });
});
