import type { ComponentChildren } from 'preact';

/** A job status as a coloured badge. */
export function Badge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

/** A label pair. */
export function Label({ name, value }: { name: string; value: string }) {
  return <span class="label">{`${name}:${value}`}</span>;
}

/** An error as the SDK stores it. */
export interface JobErrorView {
  message: string;
  name?: string;
  stack?: string;
}

/** An error's message, with its stack behind a disclosure. */
export function ErrorBlock({ error }: { error: JobErrorView }) {
  return (
    <div class="error-block">
      <p class="error">{`${error.name ? `${error.name}: ` : ''}${error.message}`}</p>
      {error.stack ? (
        <details>
          <summary>Stack</summary>
          <pre>{error.stack}</pre>
        </details>
      ) : null}
    </div>
  );
}

/** A page's load error, announced to screen readers. */
export function Failure({ message }: { message: string }) {
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

/** A horizontally scrolling wrapper for wide tables on narrow screens. */
export function Scroll({ children }: { children: ComponentChildren }) {
  return <div class="scroll">{children}</div>;
}

/** A table head of column titles. */
export function Head({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
