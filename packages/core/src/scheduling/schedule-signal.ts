/**
 * In-process wake-ups for schedulers when a schedule changes, keyed by the
 * store object both sides share (not global: a store nobody references is
 * forgotten). Other processes notice on their next check.
 */
const listeners = new WeakMap<object, Set<() => void>>();

/** Calls `wake` whenever a schedule in `store` changes in this process; returns the unsubscribe. */
export function onScheduleChange(store: object, wake: () => void): () => void {
  let set = listeners.get(store);
  if (!set) {
    set = new Set();
    listeners.set(store, set);
  }
  set.add(wake);
  return () => set.delete(wake);
}

/** Wakes the schedulers of `store` in this process. */
export function notifyScheduleChange(store: object): void {
  for (const wake of listeners.get(store) ?? []) wake();
}
