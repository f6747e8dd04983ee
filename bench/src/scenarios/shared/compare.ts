import { loadavg } from 'node:os';
import type { BenchContext } from '../../context.js';
import type { SystemModule } from '../../systems/types.js';

/** Samples per system and why systems were skipped. */
export interface Comparison {
  samples: Map<string, number[]>;
  skipped: Record<string, string>;
}

/**
 * Runs `measure` for every available system, round-robin over repetitions
 * (so drift on a shared machine spreads over all systems), discarding the
 * warm-up rounds. A system that throws is skipped from then on, with the reason.
 */
export async function compareSystems<S extends { id: string } = SystemModule>(
  ctx: BenchContext,
  label: string,
  format: (value: number) => string,
  measure: (system: S) => Promise<number>,
  only?: S[],
): Promise<Comparison> {
  const systems = only ?? (ctx.systems as unknown as S[]);
  const samples = new Map<string, number[]>(systems.map((s) => [s.id, []]));
  const skipped: Record<string, string> = only ? {} : { ...ctx.unavailable };
  const { warmups, reps } = ctx.plan;
  for (let round = 0; round < warmups + reps; round++) {
    const tag = round < warmups ? 'warm-up' : `rep ${round - warmups + 1}/${reps}`;
    for (const system of systems) {
      if (skipped[system.id]) continue;
      const began = Date.now();
      try {
        const value = await measure(system);
        ctx.log(
          `  ${label} · ${system.id} · ${tag}: ${format(value)} (${((Date.now() - began) / 1000).toFixed(1)} s)`,
        );
        if (round >= warmups) samples.get(system.id)?.push(value);
      } catch (error) {
        const message = (error as Error).message.split('\n')[0] ?? String(error);
        skipped[system.id] = `failed: ${message}`;
        samples.delete(system.id);
        ctx.log(`  ${label} · ${system.id} · ${tag}: FAILED ${message}`);
      }
    }
  }
  return { samples, skipped };
}

/** `12,345/s`. */
export const perSecond = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;

/** `3.21 ms`. */
export const millis = (value: number) => `${value.toFixed(2)} ms`;

/**
 * Like {@link compareSystems}, but each system runs all its rounds in one
 * session (`session` calls `onRound` once per round, warm-ups first); systems
 * run one after the other.
 */
export async function compareSessions(
  ctx: BenchContext,
  label: string,
  format: (value: number) => string,
  session: (system: SystemModule, rounds: number, onRound: (value: number) => void) => Promise<void>,
): Promise<Comparison> {
  const samples = new Map<string, number[]>();
  const skipped: Record<string, string> = { ...ctx.unavailable };
  const { warmups, reps } = ctx.plan;
  for (const system of ctx.systems) {
    const values: number[] = [];
    const began = Date.now();
    try {
      await session(system, warmups + reps, (value) => {
        const round = values.length;
        values.push(value);
        const tag = round < warmups ? 'warm-up' : `rep ${round - warmups + 1}/${reps}`;
        ctx.log(`  ${label} · ${system.id} · ${tag}: ${format(value)}`);
      });
      samples.set(system.id, values.slice(warmups));
      ctx.log(
        `  ${label} · ${system.id}: ${((Date.now() - began) / 1000).toFixed(1)} s, load average ${loadavg()[0]?.toFixed(1)}`,
      );
    } catch (error) {
      const message = (error as Error).message.split('\n')[0] ?? String(error);
      skipped[system.id] = `failed: ${message}`;
      ctx.log(`  ${label} · ${system.id}: FAILED ${message}`);
    }
  }
  return { samples, skipped };
}
