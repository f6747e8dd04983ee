import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { get } from './api.js';
import { STATUSES, time } from './format.js';
import { Badge, Failure, Head, Label, Scroll } from './parts.js';
import { useLoad } from './use-load.js';

interface JobSummary {
  id: string;
  name: string;
  status: string;
  attempt: number;
  maxAttempts: number;
  runAt: number;
  createdAt: number;
  error: string | null;
  labels: Record<string, string>;
}

interface JobsPage {
  items: JobSummary[];
  cursor: string | null;
}

const FILTERS = ['status', 'name', 'q', 'label'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

function Field(props: { id: string; label: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
    </div>
  );
}

function FilterForm({ params }: { params: URLSearchParams }) {
  const [filters, setFilters] = useState<Filters>(() => {
    const initial = {} as Filters;
    for (const f of FILTERS) initial[f] = params.get(f) ?? '';
    return initial;
  });
  const set = (f: keyof Filters) => (event: Event) =>
    setFilters({ ...filters, [f]: (event.currentTarget as HTMLInputElement).value });
  const submit = (event: Event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const f of FILTERS) if (filters[f].trim()) next.set(f, filters[f].trim());
    location.hash = `#/jobs?${next}`;
  };
  return (
    <form class="filters" aria-label="Filter jobs" onSubmit={submit}>
      <Field id="f-status" label="Status">
        <select id="f-status" name="status" value={filters.status} onChange={set('status')}>
          <option value="">any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </Field>
      <Field id="f-name" label="Callback">
        <input id="f-name" name="name" value={filters.name} placeholder="send-email" onInput={set('name')} />
      </Field>
      <Field id="f-q" label="Job id">
        <input id="f-q" name="q" value={filters.q} placeholder="id or part of it" onInput={set('q')} />
      </Field>
      <Field id="f-label" label="Label">
        <input
          id="f-label"
          name="label"
          value={filters.label}
          placeholder="key:value"
          onInput={set('label')}
        />
      </Field>
      <button type="submit">Filter</button>
    </form>
  );
}

function JobRow({ job }: { job: JobSummary }) {
  return (
    <tr>
      <td>
        <a href={`#/jobs/${encodeURIComponent(job.id)}`} class="mono">
          {job.id}
        </a>
        {Object.entries(job.labels).map(([k, v]) => (
          <Label key={k} name={k} value={v} />
        ))}
      </td>
      <td>{job.name}</td>
      <td>
        <Badge status={job.status} />
      </td>
      <td>{`${job.attempt}/${job.maxAttempts}`}</td>
      <td>{time(job.runAt)}</td>
      <td>{time(job.createdAt)}</td>
      <td class="error">{job.error ?? ''}</td>
    </tr>
  );
}

const COLUMNS = ['Job', 'Callback', 'Status', 'Attempt', 'Due', 'Created', 'Error'];

/** The job list: filters live in the URL; pages follow the store's cursors (never the whole store). */
export function Jobs({ params }: { params: URLSearchParams }) {
  const filterKey = params.toString();
  const [pages, setPages] = useState<{ key: string; cursors: (string | null)[] }>({
    key: filterKey,
    cursors: [null],
  });
  const cursors = pages.key === filterKey ? pages.cursors : [null];
  const page = cursors.length - 1;
  const cursor = cursors[page] ?? null;
  const { data, error } = useLoad(() => {
    const query = new URLSearchParams(params);
    if (cursor) query.set('cursor', cursor);
    return get<JobsPage>(`jobs?${query}`);
  }, `${filterKey}|${cursor}`);
  const go = (next: (string | null)[]) => setPages({ key: filterKey, cursors: next });
  return (
    <>
      <h1>Jobs</h1>
      <FilterForm key={filterKey} params={params} />
      {error ? <Failure message={error} /> : null}
      <Scroll>
        <table aria-live="polite">
          <caption>{data ? `Page ${page + 1}` : 'Loading…'}</caption>
          <Head columns={COLUMNS} />
          <tbody>
            {data && data.items.length === 0 ? (
              <tr>
                <td colSpan={COLUMNS.length}>No jobs match.</td>
              </tr>
            ) : null}
            {data?.items.map((job) => (
              <JobRow key={job.id} job={job} />
            ))}
          </tbody>
        </table>
      </Scroll>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={page === 0} onClick={() => go(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button
          type="button"
          disabled={!data?.cursor}
          onClick={() => data?.cursor && go([...cursors, data.cursor])}
        >
          Next page
        </button>
      </nav>
    </>
  );
}
