// The eventbrokerd console: a hash-routed single page over the JSON /v1 routes. No build step:
// ES modules as they are, and htm's Preact bundle (vendor/, from npm, embedded at build time).
import { html, render, useEffect, useState } from './vendor/preact-htm.js';

import { get } from './api.js';
import { BusPage, BusesPage } from './pages/buses.js';
import { EventsPage } from './pages/events.js';
import { OutboxPage } from './pages/outbox.js';
import { OverviewPage } from './pages/overview.js';
import { PluginsPage } from './pages/plugins.js';
import { QueuePage } from './pages/queue.js';
import { SagaPage, SagasPage } from './pages/sagas.js';
import { TopicPage, TopicsPage } from './pages/topics.js';
import { TracePage } from './pages/trace.js';
import { useResource } from './ui.js';

// [pattern, page]: the first match wins; groups become the page's `params`.
const ROUTES = [
  [/^\/$/, OverviewPage],
  [/^\/queues\/([^/]+)$/, QueuePage],
  [/^\/topics$/, TopicsPage],
  [/^\/topics\/([^/]+)$/, TopicPage],
  [/^\/buses$/, BusesPage],
  [/^\/buses\/([^/]+)$/, BusPage],
  [/^\/events$/, EventsPage],
  [/^\/trace(?:\/([^/]+))?$/, TracePage],
  [/^\/sagas$/, SagasPage],
  [/^\/sagas\/([^/]+)$/, SagaPage],
  [/^\/plugins$/, PluginsPage],
  [/^\/outbox$/, OutboxPage],
];

const NAV = [
  ['/', 'Queues'],
  ['/topics', 'Topics'],
  ['/buses', 'Event buses'],
  ['/events', 'Event log'],
  ['/trace', 'Trace'],
  ['/sagas', 'Sagas'],
  ['/plugins', 'Plugins and alerts'],
  ['/outbox', 'Outbox'],
];

function currentPath() {
  return location.hash.replace(/^#/, '') || '/';
}

function useHashPath() {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const changed = () => setPath(currentPath());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return path;
}

function Header({ path }) {
  const [health] = useResource(() => get('/health'), [], 10000);
  const section = (target) => (target === '/' ? path === '/' || path.startsWith('/queues')
                                              : path.startsWith(target));
  return html`
    <header class="top">
      <a class="brand" href="#/">eventbrokerd</a>
      <nav>
        ${NAV.map(([target, label]) => html`
          <a href=${`#${target}`} class=${section(target) ? 'active' : ''}>${label}</a>`)}
      </nav>
      <span class="muted small">
        ${health.data ? `v${health.data.version} · up ${health.data.uptimeSeconds} s`
                      : health.error ? 'daemon unreachable' : ''}
      </span>
    </header>`;
}

function App() {
  const path = useHashPath();
  let page = html`<p class="error">No page at ${path}. <a href="#/">Back to the queues</a></p>`;
  for (const [pattern, Page] of ROUTES) {
    const match = pattern.exec(path);
    if (match) {
      const params = match.slice(1).map((part) => (part === undefined ? undefined
                                                                      : decodeURIComponent(part)));
      page = html`<${Page} key=${path} params=${params} />`;
      break;
    }
  }
  return html`<${Header} path=${path} /><main>${page}</main>`;
}

const root = document.getElementById('app');
root.textContent = '';  // the "Loading" note index.html shows until this module runs
render(html`<${App} />`, root);
