import { useState } from 'preact/hooks';
import { get, post } from './api.js';
import { messageOf } from './format.js';

interface Task {
  id: string;
  done: number;
  retried: number;
  total: number;
  finished: boolean;
  error: string | null;
}

const POLL_MS = 300;

function describe(task: Task): string {
  const line = `${task.done} of ${task.total} failed jobs processed, ${task.retried} retried`;
  return task.error ? `${line} — stopped: ${task.error}` : line;
}

/** Retries every failed job (of one callback, or all) on the server, with a progress bar. */
export function BulkRetry({ names }: { names: string[] }) {
  const [name, setName] = useState('');
  const [task, setTask] = useState<Task | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      let current = (
        await post<{ task: Task }>(`retry-failed${name ? `?name=${encodeURIComponent(name)}` : ''}`)
      ).task;
      for (;;) {
        setTask(current);
        setStatus(describe(current));
        if (current.finished) break;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        current = await get<Task>(`bulk-retry/${current.id}`);
      }
    } catch (caught) {
      setStatus(messageOf(caught));
    }
    setBusy(false);
  };
  return (
    <form class="inline" aria-label="Retry failed jobs" onSubmit={(event) => void submit(event)}>
      <label for="bulk-name">Callback</label>
      <select id="bulk-name" name="name" value={name} onChange={(e) => setName(e.currentTarget.value)}>
        <option value="">every callback</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      <button type="submit" disabled={busy}>
        Retry failed jobs
      </button>
      {task ? (
        <progress
          id="bulk-progress"
          max={Math.max(1, task.total)}
          value={task.done}
          aria-label="Bulk retry progress"
        />
      ) : null}
      <span role="status" id="bulk-status">
        {status}
      </span>
    </form>
  );
}
