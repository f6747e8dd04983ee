import { config, get } from './api.js';
import { BulkRetry } from './bulk-retry.js';
import { type Bucket, ThroughputChart } from './chart.js';
import { STATUSES } from './format.js';
import { Failure, Head, Scroll } from './parts.js';
import { useLoad } from './use-load.js';

interface OverviewData {
  byStatus: Record<string, number>;
  byName: Record<string, Record<string, number>>;
  throughput: { since: number; buckets: Bucket[] };
}

function ByCallback({ data, names }: { data: OverviewData; names: string[] }) {
  return (
    <Scroll>
      <table>
        <Head columns={['Callback', ...STATUSES]} />
        <tbody>
          {names.length === 0 ? (
            <tr>
              <td colSpan={STATUSES.length + 1}>No jobs yet.</td>
            </tr>
          ) : null}
          {names.map((n) => (
            <tr key={n}>
              <th scope="row">
                <a href={`#/jobs?name=${encodeURIComponent(n)}`}>{n}</a>
              </th>
              {STATUSES.map((s) => (
                <td key={s}>{data.byName[n]?.[s] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

/** Counts by status and by callback, the last hour's throughput, and bulk retry. */
export function Overview() {
  const { data, error } = useLoad(() => get<OverviewData>('overview'), 'overview');
  const names = data ? Object.keys(data.byName).sort() : [];
  return (
    <>
      <h1>Overview</h1>
      {error ? <Failure message={error} /> : null}
      {data ? (
        <>
          <ul class="cards" aria-label="Jobs by status">
            {STATUSES.map((s) => (
              <li key={s} class={`card card-${s}`}>
                <a href={`#/jobs?status=${s}`}>
                  <span class="count">{data.byStatus[s] ?? 0}</span>
                  <span>{s}</span>
                </a>
              </li>
            ))}
          </ul>
          <h2>By callback</h2>
          <ByCallback data={data} names={names} />
          <h2>Throughput, last hour</h2>
          <p class="note">
            {`Completed (green) and failed (red) jobs per minute, sampled by this dashboard from the store's counts since ${new Date(data.throughput.since).toLocaleTimeString()}.`}
          </p>
          <ThroughputChart buckets={data.throughput.buckets} />
          {config.canAct ? (
            <>
              <h2>Bulk retry</h2>
              <BulkRetry names={names} />
            </>
          ) : null}
        </>
      ) : null}
    </>
  );
}
