/** Completed and failed jobs in one minute. */
export interface Bucket {
  minute: number;
  completed: number;
  failed: number;
}

const BAR = 6;
const HEIGHT = 60;

/** A stacked bar per minute (completed below, failed above), with a text equivalent for screen readers. */
export function ThroughputChart({ buckets }: { buckets: Bucket[] }) {
  const max = Math.max(1, ...buckets.map((b) => b.completed + b.failed));
  const completed = buckets.reduce((s, b) => s + b.completed, 0);
  const failed = buckets.reduce((s, b) => s + b.failed, 0);
  const scale = (n: number) => (n / max) * (HEIGHT - 2);
  return (
    <svg
      viewBox={`0 0 ${buckets.length * BAR} ${HEIGHT}`}
      class="chart"
      role="img"
      preserveAspectRatio="none"
      aria-label={`Jobs per minute over the last hour: ${completed} completed, ${failed} failed`}
    >
      <title>{`${completed} completed, ${failed} failed in the last hour`}</title>
      {buckets.map((b, i) => {
        const c = scale(b.completed);
        const f = scale(b.failed);
        return (
          <g key={b.minute}>
            {c > 0 ? (
              <rect x={i * BAR} y={HEIGHT - c} width={BAR - 1} height={c} class="bar-completed" />
            ) : null}
            {f > 0 ? (
              <rect x={i * BAR} y={HEIGHT - c - f} width={BAR - 1} height={f} class="bar-failed" />
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}
