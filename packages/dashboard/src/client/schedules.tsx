import { useState } from 'preact/hooks';
import { config, get, post, seg } from './api.js';
import { messageOf, time } from './format.js';
import { Failure, Head, Scroll } from './parts.js';
import { useLoad } from './use-load.js';

interface Schedule {
  id: string;
  name: string;
  cron: string | null;
  everyMs: number | null;
  at: number | null;
  timezone: string | null;
  paused: boolean;
  lastFireAt: number | null;
  nextRuns: number[];
}

type Verb = 'run' | 'pause' | 'resume';

function when(s: Schedule): string {
  if (s.cron) return `cron ${s.cron}${s.timezone ? ` (${s.timezone})` : ''}`;
  if (s.everyMs) return `every ${s.everyMs / 1000} s`;
  return s.at ? `once at ${time(s.at)}` : '—';
}

function Row({ s, act }: { s: Schedule; act: (id: string, verb: Verb) => void }) {
  return (
    <tr>
      <th scope="row" class="mono">
        {s.id}
      </th>
      <td>{s.name}</td>
      <td>{when(s)}</td>
      <td>{s.paused ? 'paused' : 'active'}</td>
      <td>{time(s.lastFireAt)}</td>
      <td>
        {s.nextRuns.length ? (
          <ul class="plain">
            {s.nextRuns.map((t) => (
              <li key={t}>{time(t)}</li>
            ))}
          </ul>
        ) : (
          '—'
        )}
      </td>
      {config.canAct ? (
        <td class="actions">
          <button type="button" onClick={() => act(s.id, 'run')}>
            Run now
          </button>
          <button type="button" onClick={() => act(s.id, s.paused ? 'resume' : 'pause')}>
            {s.paused ? 'Resume' : 'Pause'}
          </button>
        </td>
      ) : null}
    </tr>
  );
}

/** Schedules with their next fire times; run now, pause and resume. */
export function Schedules() {
  const { data, error, reload } = useLoad(() => get<Schedule[]>('schedules'), 'schedules');
  const [status, setStatus] = useState('');
  const act = async (id: string, verb: Verb) => {
    try {
      await post(`schedules/${seg(id)}/${verb}`);
      setStatus(`${verb} ${id}: done`);
      await reload();
    } catch (caught) {
      setStatus(`${verb} ${id}: ${messageOf(caught)}`);
    }
  };
  const heads = ['Schedule', 'Callback', 'When', 'State', 'Last fired', 'Next fire times'];
  if (config.canAct) heads.push('Actions');
  return (
    <>
      <h1>Schedules</h1>
      <p role="status" class="note">
        {status}
      </p>
      {error ? <Failure message={error} /> : null}
      <Scroll>
        <table>
          <Head columns={heads} />
          <tbody>
            {data && data.length === 0 ? (
              <tr>
                <td colSpan={heads.length}>No schedules.</td>
              </tr>
            ) : null}
            {data?.map((s) => (
              <Row key={s.id} s={s} act={(id, verb) => void act(id, verb)} />
            ))}
          </tbody>
        </table>
      </Scroll>
    </>
  );
}
