// The built-in plugins (GET /v1/plugins): each instance with its state, queue and counters, and
// the dead-letter alerts of the DLQ monitors (GET /v1/plugins/{name}/alerts).
import { html } from '../vendor/preact-htm.js';

import { get, seg } from '../api.js';
import { Badge, ErrorNote, formatTime, link, useResource } from '../ui.js';

const COUNTERS = ['received', 'handled', 'failed', 'ignored', 'published'];

function Alerts({ plugin }) {
  const [alerts] = useResource(() => get(`/v1/plugins/${seg(plugin)}/alerts`), [plugin], 2000);
  if (!alerts.data) return html`<${ErrorNote} error=${alerts.error} />`;
  return html`
    <h2>Dead-letter alerts <span class="muted small">(${plugin})</span></h2>
    ${alerts.data.alerts.length === 0
      ? html`<p class="muted">None: no message has reached a dead-letter queue since the start.</p>`
      : html`
        <table class="grid" aria-label="Dead-letter alerts">
          <thead><tr><th>Queue</th><th>Status</th><th>Severity</th><th class="num">Messages</th>
                     <th>First</th><th>Last</th></tr></thead>
          <tbody>${alerts.data.alerts.map((a) => html`
            <tr key=${a.queue} class="dlq-alert">
              <td><a href=${link(`/queues/${encodeURIComponent(a.queue)}`)}>${a.queue}</a></td>
              <td><${Badge} kind=${a.status}>${a.status}<//></td>
              <td>${a.severity}</td>
              <td class="num">${a.count}</td>
              <td class="small">${formatTime(a.firstArrivalAt)}</td>
              <td class="small">${formatTime(a.resolvedAt ?? a.lastArrivalAt)}</td>
            </tr>`)}</tbody>
        </table>`}`;
}

export function PluginsPage() {
  const [plugins] = useResource(() => get('/v1/plugins'), [], 2000);
  if (!plugins.data) return html`<h1>Plugins</h1><${ErrorNote} error=${plugins.error} />`;
  const list = plugins.data.plugins;
  return html`
    <h1>Plugins</h1>
    ${list.length === 0
      ? html`<p class="muted">No plugins configured (docs/plugins.md).</p>`
      : html`
        <table class="grid" aria-label="Plugins">
          <thead><tr><th>Plugin</th><th>Kind</th><th>State</th><th>Queue</th>
                     ${COUNTERS.map((c) => html`<th class="num">${c}</th>`)}</tr></thead>
          <tbody>${list.map((p) => html`
            <tr key=${p.name}>
              <td>${p.name}</td>
              <td>${p.kind}</td>
              <td><${Badge} kind=${p.state}>${p.state}<//></td>
              <td>${p.queue ? html`<a href=${link(`/queues/${encodeURIComponent(p.queue)}`)}>${p.queue}</a>` : '–'}</td>
              ${COUNTERS.map((c) => html`<td class="num">${p.counters?.[c] ?? 0}</td>`)}
            </tr>`)}</tbody>
        </table>`}
    ${list.filter((p) => p.kind === 'dlq-monitor' && p.state === 'running')
           .map((p) => html`<${Alerts} key=${p.name} plugin=${p.name} />`)}`;
}
