import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { apiUrl } from './api.js';

/** What the event stream has told the page so far. */
export interface LiveState {
  /** Grows by one on every change notice: pages reload when it moves. */
  version: number;
  /** What the header shows: `connecting…`, `live (watch)`, `live (poll)`, `reconnecting…`. */
  status: string;
}

/** The live state, provided by the app. */
export const LiveContext = createContext<LiveState>({ version: 0, status: 'connecting…' });

/** Opens the dashboard's server-sent event stream (EventSource reconnects by itself). */
export function useEventStream(): LiveState {
  const [state, setState] = useState<LiveState>({ version: 0, status: 'connecting…' });
  useEffect(() => {
    const events = new EventSource(apiUrl('events'));
    events.addEventListener('hello', (event) => {
      const { mode } = JSON.parse((event as MessageEvent<string>).data) as { mode: string };
      setState((s) => ({ version: s.version + 1, status: `live (${mode})` }));
    });
    events.addEventListener('change', () => setState((s) => ({ ...s, version: s.version + 1 })));
    events.addEventListener('error', () => setState((s) => ({ ...s, status: 'reconnecting…' })));
    return () => events.close();
  }, []);
  return state;
}

/** The change counter pages reload on. */
export function useLiveVersion(): number {
  return useContext(LiveContext).version;
}
