// A correlation id's events as the causation tree the log builds (GET /v1/trace/{id}): each
// event under the one whose id is its causationId, with the time since its cause.
import { html, useState } from '../vendor/preact-htm.js';

import { get, seg } from '../api.js';
import { ErrorNote, Json, formatTime, useResource } from '../ui.js';

function Node({ node, parentTime }) {
  const [open, setOpen] = useState(false);
  const envelope = node.event ?? {};
  const delta = parentTime ? Date.parse(node.timestamp) - parentTime : null;
  return html`
    <li class="trace-node">
      <button class="link" onClick=${() => setOpen(!open)}>
        <b>${envelope.type ?? node.type ?? 'message'}</b>
      </button>
      <span class="muted small"> ${node.source.split(':').pop()} · ${formatTime(node.timestamp)}
        ${delta !== null && ` · +${delta} ms`} · seq ${node.seq}</span>
      ${open && html`<${Json} value=${node} />`}
      ${node.children.length > 0 && html`
        <ul>${node.children.map((child) => html`
          <${Node} key=${child.seq} node=${child} parentTime=${Date.parse(node.timestamp)} />`)}</ul>`}
    </li>`;
}

export function TracePage({ params: [id] }) {
  const [typed, setTyped] = useState(id ?? '');
  const [trace] = useResource(() => (id ? get(`/v1/trace/${seg(id)}`) : Promise.resolve(null)),
                              [id]);
  const go = (e) => {
    e.preventDefault();
    if (typed) location.hash = `#/trace/${encodeURIComponent(typed)}`;
  };
  return html`
    <h1>Trace</h1>
    <form class="toolbar" onSubmit=${go} aria-label="Trace a correlation id">
      <input placeholder="Correlation id" aria-label="Correlation id" value=${typed}
             onInput=${(e) => setTyped(e.target.value)} />
      <button type="submit">Trace</button>
    </form>
    <${ErrorNote} error=${trace.error} />
    ${trace.data && (trace.data.roots.length === 0
      ? html`<p class="muted">No events with correlation id <code>${id}</code>.</p>`
      : html`<ul class="trace">${trace.data.roots.map((root) => html`
          <${Node} key=${root.seq} node=${root} parentTime=${null} />`)}</ul>
             ${trace.data.truncated && html`<p class="muted">Only the first 10,000 events.</p>`}`)}`;
}
