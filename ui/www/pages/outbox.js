// The outbox (GET /v1/outbox): what SNS and EventBridge delivered to endpoints outside the broker
// (email, SMS, Lambda...) and how each HTTP/S or API-destination delivery ended; newest first.
import { html, useState } from '../vendor/preact-htm.js';

import { get, query, remove } from '../api.js';
import { Badge, ErrorNote, Json, formatTime, useResource } from '../ui.js';

function Row({ record }) {
  const [open, setOpen] = useState(false);
  return html`
    <tr class="outbox-row" onClick=${() => setOpen(!open)}>
      <td class="num">${record.seq}</td>
      <td class="small">${formatTime(record.timestamp)}</td>
      <td>${record.protocol}</td>
      <td>${record.endpoint}</td>
      <td class="small">${(record.topicArn ?? '').split(':').pop()}</td>
      <td><${Badge} kind=${record.outcome}>${record.outcome}<//></td>
    </tr>
    ${open && html`<tr><td colspan="6"><${Json} value=${record} /></td></tr>`}`;
}

export function OutboxPage() {
  const [protocol, setProtocol] = useState('');
  const [error, setError] = useState(null);
  const [outbox, reload] = useResource(() => get(`/v1/outbox${query({ protocol, limit: 1000 })}`),
                                       [protocol], 2000);
  const clear = async () => {
    try {
      await remove('/v1/outbox');
      reload();
    } catch (e) {
      setError(e);
    }
  };
  const records = [...(outbox.data?.messages ?? [])].reverse();
  return html`
    <h1>Outbox</h1>
    <p class="muted small">Deliveries to endpoints outside the broker: email, SMS, Lambda and other
      targets are recorded here instead of sent; HTTP/S and API destinations with how they ended.
      Click a row for the body.</p>
    <div class="toolbar">
      <input placeholder="Protocol (email, sms, https, lambda…)" aria-label="Protocol"
             value=${protocol} onInput=${(e) => setProtocol(e.target.value)} />
      <button class="danger" onClick=${clear}>Clear the outbox</button>
    </div>
    <${ErrorNote} error=${error ?? outbox.error} />
    ${outbox.data && (records.length === 0
      ? html`<p class="muted">Nothing yet.</p>`
      : html`
        <table class="grid" aria-label="Outbox">
          <thead><tr><th class="num">Seq</th><th>Time</th><th>Protocol</th><th>Endpoint</th>
                     <th>Topic or rule</th><th>Outcome</th></tr></thead>
          <tbody>${records.map((r) => html`<${Row} key=${r.seq} record=${r} />`)}</tbody>
        </table>
        ${outbox.data.next !== null && html`<p class="muted small">Showing the first 1,000.</p>`}`)}`;
}
