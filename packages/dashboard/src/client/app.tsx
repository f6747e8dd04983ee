import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { config } from './api.js';
import { JobDetail } from './job-detail.js';
import { Jobs } from './jobs.js';
import { LiveContext, useEventStream } from './live.js';
import { Overview } from './overview.js';
import { Schedules } from './schedules.js';

/** The hash route: `#/`, `#/jobs?status=failed`, `#/jobs/<id>`, `#/schedules`. */
interface Route {
  path: string;
  params: URLSearchParams;
}

function currentRoute(): Route {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = hash.split('?');
  return { path, params: new URLSearchParams(search) };
}

function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onChange = () => setRoute(currentRoute());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

const SECTIONS: [href: string, text: string][] = [
  ['#/', 'Overview'],
  ['#/jobs', 'Jobs'],
  ['#/schedules', 'Schedules'],
];

function isCurrent(href: string, path: string): boolean {
  const target = href.slice(1);
  return target === '/' ? path === '/' : path.startsWith(target);
}

function Page({ route }: { route: Route }) {
  const { path, params } = route;
  if (path.startsWith('/jobs/')) return <JobDetail id={decodeURIComponent(path.slice('/jobs/'.length))} />;
  if (path === '/jobs') return <Jobs params={params} />;
  if (path === '/schedules') return <Schedules />;
  return <Overview />;
}

/** The whole dashboard: header with sections and live status, and the current page. */
function App() {
  const route = useRoute();
  const live = useEventStream();
  useEffect(() => {
    document.title = config.title;
  }, []);
  return (
    <LiveContext.Provider value={live}>
      <header>
        <span class="brand">{config.title}</span>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map(([href, text]) => (
              <li key={href}>
                <a href={href} aria-current={isCurrent(href, route.path) ? 'page' : undefined}>
                  {text}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="live" role="status">
          {live.status}
        </span>
        {config.canAct ? null : <span class="note">read-only</span>}
      </header>
      <main id="main">
        <Page route={route} />
      </main>
    </LiveContext.Provider>
  );
}

const root = document.getElementById('app') as HTMLElement;
root.replaceChildren(); // the server's "Loading…" placeholder
render(<App />, root);
