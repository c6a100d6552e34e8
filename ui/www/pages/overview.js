// The start page: every queue with its depth by state, oldest message, send and receive rates,
// dead-letter links, the
// topics (pages/topics.js) and the sagas by status. Refreshed every 2 s.
import { html, useRef, useState } from '../vendor/preact-htm.js';

import { get } from '../api.js';
import { Badge, ErrorNote, formatAge, link, useResource } from '../ui.js';
import { BusSummary } from './buses.js';
import { TopicsSummary } from './topics.js';

// Messages per second each queue sent and received between the last two refreshes, from the
// totals /v1/queues gives; empty until there are two.
function useRates(queues) {
  const previous = useRef(null);
  const rates = useRef({});
  if (queues && previous.current?.queues !== queues) {
    const now = performance.now();
    const before = previous.current;
    const next = {};
    if (before) {
      const seconds = (now - before.at) / 1000;
      const old = new Map(before.queues.map((q) => [q.name, q]));
      for (const q of queues) {
        const o = old.get(q.name);
        if (o && seconds > 0) {
          next[q.name] = { sent: (q.sent - o.sent) / seconds,
                           received: (q.received - o.received) / seconds };
        }
      }
    }
    rates.current = next;
    previous.current = { queues, at: now };
  }
  return rates.current;
}

const formatRate = (rate) => (rate === undefined ? '–' : rate < 10 ? rate.toFixed(1) : Math.round(rate));

function QueueTable({ queues, filter, rates }) {
  const deadLetterTargets = new Set(queues.map((q) => q.deadLetterTarget).filter(Boolean));
  const shown = queues.filter((q) => q.name.includes(filter));
  if (queues.length === 0) {
    return html`<p class="muted">No queues yet. Create one with any SQS client, e.g.
      <code>aws --endpoint-url ${location.origin} sqs create-queue --queue-name orders</code></p>`;
  }
  return html`
    <table class="grid" aria-label="Queues">
      <thead><tr>
        <th>Queue</th><th class="num">Visible</th><th class="num">In flight</th>
        <th class="num">Delayed</th><th class="num">Oldest</th>
        <th class="num">Sent/s</th><th class="num">Received/s</th><th>Dead-letter queue</th>
      </tr></thead>
      <tbody>
        ${shown.map((q) => html`
          <tr key=${q.name} class=${deadLetterTargets.has(q.name) && q.visible > 0 ? 'alert' : ''}>
            <td>
              <a href=${link(`/queues/${encodeURIComponent(q.name)}`)}>${q.name}</a>
              ${' '}<${Badge} kind=${q.type}>${q.type}<//>
              ${deadLetterTargets.has(q.name) && html` <${Badge} kind="dlq">DLQ<//>`}
            </td>
            <td class="num">${q.visible}</td>
            <td class="num">${q.inFlight}</td>
            <td class="num">${q.delayed}</td>
            <td class="num">${formatAge(q.oldestMessageAgeSeconds)}</td>
            <td class="num rate">${formatRate(rates[q.name]?.sent)}</td>
            <td class="num rate">${formatRate(rates[q.name]?.received)}</td>
            <td>${q.deadLetterTarget
                  ? html`<a href=${link(`/queues/${encodeURIComponent(q.deadLetterTarget)}`)}>
                           ${q.deadLetterTarget}</a>`
                  : html`<span class="muted">–</span>`}</td>
          </tr>`)}
      </tbody>
    </table>`;
}

function SagaSummary() {
  const [sagas] = useResource(() => get('/v1/sagas?limit=1000'), [], 5000);
  if (sagas.error?.status === 404) return null;  // no saga engine configured
  if (!sagas.data) return html`<${ErrorNote} error=${sagas.error} />`;
  const counts = {};
  for (const saga of sagas.data.sagas) counts[saga.status] = (counts[saga.status] ?? 0) + 1;
  return html`
    <section>
      <h2><a href="#/sagas">Sagas</a></h2>
      ${sagas.data.sagas.length === 0
        ? html`<p class="muted">No sagas started yet.</p>`
        : html`<p class="stats">${Object.entries(counts).map(([status, n]) => html`
            <span class="stat"><b>${n}</b> ${status}</span>`)}</p>`}
    </section>`;
}

export function OverviewPage() {
  const [filter, setFilter] = useState('');
  const [queues] = useResource(() => get('/v1/queues'), [], 2000);
  const list = queues.data?.queues ?? [];
  const rates = useRates(queues.data?.queues);
  const totals = list.reduce((t, q) => ({ visible: t.visible + q.visible,
                                          inFlight: t.inFlight + q.inFlight }),
                             { visible: 0, inFlight: 0 });
  return html`
    <section>
      <h1>Queues</h1>
      <p class="stats">
        <span class="stat"><b>${list.length}</b> queues</span>
        <span class="stat"><b>${totals.visible}</b> visible</span>
        <span class="stat"><b>${totals.inFlight}</b> in flight</span>
        <input type="search" placeholder="Filter by name" aria-label="Filter queues"
               value=${filter} onInput=${(e) => setFilter(e.target.value)} />
      </p>
      <${ErrorNote} error=${queues.error} />
      ${queues.data && html`<${QueueTable} queues=${list} filter=${filter} rates=${rates} />`}
    </section>
    <${TopicsSummary} />
    <${BusSummary} />
    <${SagaSummary} />`;
}
