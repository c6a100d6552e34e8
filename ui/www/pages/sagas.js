// The built-in saga engines' sagas (GET /v1/sagas): a list by status, and one saga with its
// steps, its events' trace and, when stuck, a redrive.
import { html, useState } from '../vendor/preact-htm.js';

import { get, post, query, seg } from '../api.js';
import { Badge, ErrorNote, Json, formatTime, link, useResource } from '../ui.js';

const STATUSES = ['', 'started', 'compensating', 'completed', 'compensated', 'stuck'];

export function SagasPage() {
  const [status, setStatus] = useState('');
  const [sagas] = useResource(() => get(`/v1/sagas${query({ status, limit: 200 })}`), [status],
                              2000);
  if (sagas.error?.status === 404) {
    return html`<h1>Sagas</h1><p class="muted">No saga engine runs in this daemon (see the
      plugins in docs/plugins.md).</p>`;
  }
  return html`
    <h1>Sagas</h1>
    <div class="toolbar">
      <select aria-label="Saga status" value=${status} onChange=${(e) => setStatus(e.target.value)}>
        ${STATUSES.map((s) => html`<option value=${s}>${s || 'any status'}</option>`)}
      </select>
      ${sagas.data && html`<span class="muted">${sagas.data.total} in all</span>`}
    </div>
    <${ErrorNote} error=${sagas.error} />
    ${sagas.data && html`
      <table class="grid" aria-label="Sagas">
        <thead><tr><th>Saga</th><th>Type</th><th>Status</th><th>Started</th><th>Updated</th></tr></thead>
        <tbody>${sagas.data.sagas.map((s) => html`
          <tr key=${s.sagaId}>
            <td><a href=${link(`/sagas/${encodeURIComponent(s.sagaId)}`)}>${s.sagaId}</a></td>
            <td>${s.type}</td>
            <td><${Badge} kind=${s.status}>${s.status}<//></td>
            <td class="small">${formatTime(s.startedAt)}</td>
            <td class="small">${formatTime(s.updatedAt)}</td>
          </tr>`)}</tbody>
      </table>`}`;
}

export function SagaPage({ params: [id] }) {
  const [saga, reload] = useResource(() => get(`/v1/sagas/${seg(id)}`), [id], 2000);
  const [error, setError] = useState(null);
  const redrive = async () => {
    try {
      await post(`/v1/sagas/${seg(id)}/redrive`);
      reload();
    } catch (e) {
      setError(e);
    }
  };
  if (!saga.data) return html`<h1>Saga ${id}</h1><${ErrorNote} error=${saga.error} />`;
  const s = saga.data;
  return html`
    <h1>Saga ${s.sagaId} <${Badge} kind=${s.status}>${s.status}<//></h1>
    <p class="stats">
      <span class="stat">${s.type}</span>
      <span class="stat">started ${formatTime(s.startedAt)}</span>
      <span class="stat">updated ${formatTime(s.updatedAt)}</span>
      <a href=${link(`/trace/${encodeURIComponent(s.sagaId)}`)}>Trace its events</a>
      ${s.status === 'stuck' && html`<button onClick=${redrive}>Redrive</button>`}
    </p>
    <${ErrorNote} error=${error} />
    <h2>Steps</h2>
    <table class="grid" aria-label="Saga steps">
      <thead><tr><th>Step</th><th>Status</th><th class="num">Attempts</th><th>Started</th>
                 <th>Finished</th><th>Error</th></tr></thead>
      <tbody>${s.steps.map((step) => html`
        <tr key=${step.name} class="saga-step">
          <td>${step.name}</td>
          <td><${Badge} kind=${step.status}>${step.status}<//></td>
          <td class="num">${step.attempts}</td>
          <td class="small">${formatTime(step.startedAt)}</td>
          <td class="small">${formatTime(step.compensatedAt ?? step.completedAt ?? step.failedAt)}</td>
          <td>${step.error ?? ''}</td>
        </tr>`)}</tbody>
    </table>
    <h2>Input</h2>
    <${Json} value=${s.input} />`;
}
