// The event log, live: a Server-Sent Events tail (GET /v1/events/stream) with the log's own
// filters, the newest first, at most MAX_ROWS kept. Pause closes the stream; resuming goes on
// after the last event shown.
import { html, useEffect, useRef, useState } from '../vendor/preact-htm.js';

import { query } from '../api.js';
import { Json, formatTime, link } from '../ui.js';

const MAX_ROWS = 500;

function EventRow({ item }) {
  const [open, setOpen] = useState(false);
  const envelope = item.event;
  const correlation = envelope?.correlationId;
  return html`
    <tr class="event-row" onClick=${() => setOpen(!open)}>
      <td class="num">${item.seq}</td>
      <td class="small">${formatTime(item.timestamp)}</td>
      <td>${item.type ?? html`<span class="muted">message</span>`}</td>
      <td class="small">${item.source.split(':').pop()}</td>
      <td>${item.stream ?? ''}</td>
      <td>${correlation && html`<a href=${link(`/trace/${encodeURIComponent(correlation)}`)}
                                   onClick=${(e) => e.stopPropagation()}>${correlation}</a>`}</td>
    </tr>
    ${open && html`<tr><td colspan="6"><${Json} value=${item} /></td></tr>`}`;
}

export function EventsPage() {
  const [filters, setFilters] = useState({ source: '', type: '', correlationId: '' });
  const [applied, setApplied] = useState(filters);
  const [paused, setPaused] = useState(false);
  const [rows, setRows] = useState([]);
  const [status, setStatus] = useState('connecting');
  const last = useRef(0);

  useEffect(() => {
    if (paused) {
      setStatus('paused');
      return undefined;
    }
    const source = new EventSource(`/v1/events/stream${query({ after: last.current, ...applied })}`);
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus('reconnecting');
    source.onmessage = (message) => {
      const item = JSON.parse(message.data);
      last.current = Math.max(last.current, item.seq);
      setRows((old) => [item, ...old].slice(0, MAX_ROWS));
    };
    return () => source.close();
  }, [paused, applied]);

  const apply = (e) => {
    e.preventDefault();
    last.current = 0;
    setRows([]);
    setApplied({ ...filters });
  };
  const field = (key, label) => html`
    <input placeholder=${label} aria-label=${label} value=${filters[key]}
           onInput=${(e) => setFilters({ ...filters, [key]: e.target.value })} />`;
  return html`
    <h1>Event log <span class=${`badge badge-${status}`}>${status}</span></h1>
    <form class="toolbar" onSubmit=${apply} aria-label="Event filters">
      ${field('source', 'Source (ARN or envelope source)')}
      ${field('type', 'Type')}
      ${field('correlationId', 'Correlation id')}
      <button type="submit">Filter</button>
      <button type="button" onClick=${() => setPaused(!paused)}>${paused ? 'Resume' : 'Pause'}</button>
    </form>
    <p class="muted small">The newest first; the last ${MAX_ROWS} are kept. Click a row for the
      whole record.</p>
    <table class="grid events" aria-label="Events">
      <thead><tr><th class="num">Seq</th><th>Time</th><th>Type</th><th>Source</th><th>Stream</th>
                 <th>Correlation</th></tr></thead>
      <tbody>${rows.map((item) => html`<${EventRow} key=${item.seq} item=${item} />`)}</tbody>
    </table>`;
}
