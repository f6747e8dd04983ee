import { Cron } from 'croner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextTicks, parseCron, parseEvery } from '../src/index.js';

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
];

const field = (min: number, max: number) =>
  fc.oneof(
    fc.constant('*'),
    fc.integer({ min, max }).map(String),
    fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) }).map((step) => `*/${step}`),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
      .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
  );

const cronExpression = fc
  .tuple(field(0, 59), field(0, 23), field(1, 28), field(1, 12), field(0, 6))
  .map((parts) => parts.join(' '));

function spec(cron: string, timezone: string) {
  return {
    cron,
    everyMs: null,
    at: null,
    timezone,
    startAt: null,
    endAt: null,
    excludeDates: [],
    calendar: null,
  };
}

describe('schedule ticks', () => {
  it('agree with croner and strictly increase, for random expressions and zones', () => {
    fc.assert(
      fc.property(
        cronExpression,
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (cron, zone, from) => {
          const ours = nextTicks(spec(cron, zone), from, 8);
          const theirs = new Cron(cron, { timezone: zone, paused: true, legacyMode: true })
            .nextRuns(8, new Date(from))
            .map((d) => d.getTime());
          expect(ours).toEqual(theirs);
          for (let i = 1; i < ours.length; i++) expect(ours[i]!).toBeGreaterThan(ours[i - 1]!);
          if (ours.length > 0) expect(ours[0]!).toBeGreaterThan(from);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('names the field and position of an invalid expression', () => {
    expect(() => parseCron('0 9 * * FUNDAY', null)).toThrow(/day of week field 'FUNDAY' at position 9/);
    expect(() => parseCron('*/0 * * * *', null)).toThrow(/minute field '\*\/0' at position 1/);
    expect(() => parseCron('0 0 * *', null)).toThrow(/4 field\(s\)/);
    expect(() => parseCron('@fortnightly', null)).toThrow(/unknown shorthand/);
  });

  it('parses interval durations', () => {
    expect(parseEvery('15m')).toBe(900_000);
    expect(parseEvery('1h30m')).toBe(5_400_000);
    expect(parseEvery('90s')).toBe(90_000);
    expect(parseEvery('2d')).toBe(172_800_000);
    expect(parseEvery(2_500)).toBe(2_500);
    for (const bad of ['15 minutes', '', 'm', 0, -5, '1.5x', 250, '999ms'])
      expect(() => parseEvery(bad)).toThrow(/every/);
  });
});
