/**
 * The longest delay Node's timers take (2^31 − 1 ms, about 24.8 days). A
 * longer delay is not honoured: Node warns (`TimeoutOverflowWarning`) and
 * fires after 1 ms, so a far-future wake-up would spin.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * A delay that is safe to hand to `setTimeout`: at least 0, at most
 * {@link MAX_TIMER_DELAY_MS}, and 0 for `NaN`. A caller waiting longer
 * re-arms when the clamped timer fires and finds its moment still ahead.
 *
 * @example
 * timer = setTimeout(check, clampTimerDelay(dueAt - Date.now()));
 */
export function clampTimerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_TIMER_DELAY_MS);
}
