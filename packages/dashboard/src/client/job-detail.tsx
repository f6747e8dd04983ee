import { useState } from 'preact/hooks';
import { config, get, post, seg } from './api.js';
import { messageOf, pretty, time } from './format.js';
import { Badge, ErrorBlock, Failure, Head, type JobErrorView, Label, Scroll } from './parts.js';
import { useLoad } from './use-load.js';

interface Job {
  id: string;
  name: string;
  status: string;
  priority: number;
  attempt: number;
  maxAttempts: number;
  metadata: unknown;
  progress: unknown;
  result: unknown;
  error: JobErrorView | null;
  history: {
    attempt: number;
    outcome?: string;
    startedAt?: number | null;
    workerId?: string | null;
    error: JobErrorView | null;
    at: number;
  }[];
  labels?: Record<string, string>;
  parents?: string[];
  onParentFailure?: string;
  logs?: { at: number; level: string; message: string; attempt: number; fields?: Record<string, unknown> }[];
  scheduleId: string | null;
  key: string | null;
  cancelRequested: boolean;
  runAt: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

type Verb = 'retry' | 'cancel' | 'delete';

function Actions({ job, act }: { job: Job; act: (verb: Verb) => void }) {
  const finished = job.status === 'failed' || job.status === 'cancelled';
  const open = job.status === 'waiting' || job.status === 'scheduled' || job.status === 'running';
  return (
    <div class="actions">
      {finished ? (
        <button type="button" onClick={() => act('retry')}>
          Retry
        </button>
      ) : null}
      {open ? (
        <button type="button" onClick={() => act('cancel')}>
          Cancel
        </button>
      ) : null}
      {job.status !== 'running' ? (
        <button type="button" class="danger" onClick={() => act('delete')}>
          Delete
        </button>
      ) : null}
    </div>
  );
}

function Facts({ job }: { job: Job }) {
  const labels = Object.entries(job.labels ?? {});
  return (
    <dl class="facts">
      <dt>Callback</dt>
      <dd>{job.name}</dd>
      <dt>Status</dt>
      <dd>
        <Badge status={job.status} />
        {job.cancelRequested ? ' (cancel requested)' : ''}
      </dd>
      <dt>Attempt</dt>
      <dd>{`${job.attempt} of ${job.maxAttempts}`}</dd>
      <dt>Priority</dt>
      <dd>{job.priority}</dd>
      {job.key ? (
        <>
          <dt>Key</dt>
          <dd>{job.key}</dd>
        </>
      ) : null}
      {job.scheduleId ? (
        <>
          <dt>Schedule</dt>
          <dd>{job.scheduleId}</dd>
        </>
      ) : null}
      {job.parents?.length ? (
        <>
          <dt>Runs after</dt>
          <dd>
            {job.parents.map((id) => (
              <a key={id} class="mono parent" href={`#/jobs/${encodeURIComponent(id)}`}>
                {id}
              </a>
            ))}
            {job.onParentFailure === 'run' ? ' (even if one fails)' : ''}
          </dd>
        </>
      ) : null}
      {labels.length ? (
        <>
          <dt>Labels</dt>
          <dd>
            {labels.map(([k, v]) => (
              <Label key={k} name={k} value={v} />
            ))}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

function Timeline({ job }: { job: Job }) {
  const steps: [string, number | null][] = [
    ['Created', job.createdAt],
    ['Due', job.runAt],
    ...job.history.map((h): [string, number] => [`Attempt ${h.attempt} ${h.outcome ?? 'failed'}`, h.at]),
    ['Last started', job.startedAt],
    ['Finished', job.finishedAt],
  ];
  return (
    <ol class="timeline">
      {steps.map(([what, at], i) => (
        <li key={i}>
          <strong>{`${what} `}</strong>
          {time(at)}
        </li>
      ))}
    </ol>
  );
}

function Json({ title, value }: { title: string; value: unknown }) {
  const heading = `json-${title.toLowerCase()}`;
  return (
    <section aria-labelledby={heading}>
      <h2 id={heading}>{title}</h2>
      <pre class="json">{pretty(value)}</pre>
    </section>
  );
}

function Logs({ logs }: { logs: NonNullable<Job['logs']> }) {
  if (logs.length === 0) return <p class="note">Nothing logged.</p>;
  return (
    <Scroll>
      <table class="logs">
        <Head columns={['At', 'Attempt', 'Level', 'Message']} />
        <tbody>
          {logs.map((line, i) => (
            <tr key={i} class={`log-${line.level}`}>
              <td>{time(line.at)}</td>
              <td>{line.attempt}</td>
              <td>{line.level}</td>
              <td>
                {line.message}
                {line.fields ? <code class="fields">{JSON.stringify(line.fields)}</code> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

/** The job's attempts; a first-try success keeps no record, so its one attempt is the job's own times. */
function attemptsOf(job: Job): Job['history'] {
  if (job.history.length > 0 || job.status !== 'completed' || job.finishedAt === null) return job.history;
  return [
    { attempt: job.attempt, outcome: 'completed', startedAt: job.startedAt, error: null, at: job.finishedAt },
  ];
}

function Attempts({ history }: { history: Job['history'] }) {
  if (history.length === 0) return <p class="note">None yet.</p>;
  return (
    <Scroll>
      <table>
        <Head columns={['Attempt', 'Outcome', 'Worker', 'Started', 'Ended', 'Error']} />
        <tbody>
          {history.map((r) => (
            <tr key={`${r.attempt}-${r.at}`}>
              <td>{r.attempt}</td>
              <td>{r.outcome ? <Badge status={r.outcome} /> : '—'}</td>
              <td class="mono">{r.workerId ?? '—'}</td>
              <td>{time(r.startedAt)}</td>
              <td>{time(r.at)}</td>
              <td>{r.error ? <ErrorBlock error={r.error} /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

/** One job: actions, facts, timeline, metadata, progress, result, error and its attempts. */
export function JobDetail({ id }: { id: string }) {
  const { data: job, error, reload } = useLoad(() => get<Job>(`jobs/${seg(id)}`), id);
  const [status, setStatus] = useState('');
  const act = async (verb: Verb) => {
    if (verb === 'delete' && !confirm('Delete this job?')) return;
    try {
      await post(`jobs/${seg(id)}/${verb}`);
      setStatus(`${verb}: done`);
      if (verb === 'delete') location.hash = '#/jobs';
      else await reload();
    } catch (caught) {
      setStatus(`${verb}: ${messageOf(caught)}`);
    }
  };
  return (
    <>
      <p>
        <a href="#/jobs">← Jobs</a>
      </p>
      <h1>
        Job <span class="mono">{id}</span>
      </h1>
      <p role="status" class="note">
        {status}
      </p>
      {error ? <Failure message={error} /> : null}
      {job ? (
        <>
          {config.canAct ? <Actions job={job} act={(verb) => void act(verb)} /> : null}
          <Facts job={job} />
          <h2>Timeline</h2>
          <Timeline job={job} />
          <Json title="Metadata" value={job.metadata} />
          {job.progress !== null ? <Json title="Progress" value={job.progress} /> : null}
          {job.result !== null ? <Json title="Result" value={job.result} /> : null}
          {job.error ? (
            <>
              <h2>Error</h2>
              <ErrorBlock error={job.error} />
            </>
          ) : null}
          <h2>Attempts</h2>
          <Attempts history={attemptsOf(job)} />
          <h2>Log</h2>
          <Logs logs={job.logs ?? []} />
        </>
      ) : null}
    </>
  );
}
