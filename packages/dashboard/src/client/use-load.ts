import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from './format.js';
import { useLiveVersion } from './live.js';

/** A page's data: the last good value, the last error, and a way to load again. */
export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => Promise<void>;
}

/**
 * Loads with `load` when `key` changes and again on every live change
 * notice; answers that arrive out of order are dropped.
 */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const version = useLiveVersion();
  const latest = useRef(0);
  const loader = useRef(load);
  loader.current = load;
  const reload = useCallback(async () => {
    const ticket = ++latest.current;
    try {
      const value = await loader.current();
      if (ticket !== latest.current) return;
      setData(value);
      setError(null);
    } catch (caught) {
      if (ticket === latest.current) setError(messageOf(caught));
    }
  }, []);
  useEffect(() => {
    setData(null);
  }, [key]);
  useEffect(() => {
    void reload();
  }, [key, version]);
  return { data, error, reload };
}
