// One queue: its counts and attributes, a peek at its messages (which changes nothing: no
// receive count, no visibility), a send form, purge behind typing the name, and for a
// dead-letter queue a redrive (a move task) with its progress.
import { html, useState } from '../vendor/preact-htm.js';

import { get, post, remove, seg } from '../api.js';
import { Badge, ErrorNote, formatAge, formatTime, link, prettyBody, useResource } from '../ui.js';

const STATES = [['visible', 'Visible'], ['inflight', 'In flight'], ['delayed', 'Delayed']];

function Message({ message }) {
  const a = message.attributes;
  const attributes = Object.entries(message.messageAttributes);
  return html`
    <li class="message" data-message-id=${message.messageId}>
      <div class="message-head">
        <code>${message.messageId}</code>
        <${Badge} kind=${message.state}>${message.state}<//>
        <span>received <b class="receive-count">${a.ApproximateReceiveCount ?? '0'}</b> times</span>
        <span class="muted">sent ${formatTime(a.SentTimestamp)}</span>
        ${message.visibleAt && html`<span class="muted">visible at ${formatTime(message.visibleAt)}</span>`}
        ${a.MessageGroupId && html`<span>group <code>${a.MessageGroupId}</code></span>`}
        ${a.SequenceNumber && html`<span class="muted">seq ${a.SequenceNumber}</span>`}
      </div>
      <pre class="json">${prettyBody(message.body)}</pre>
      ${attributes.length > 0 && html`
        <table class="kv">${attributes.map(([name, v]) => html`
          <tr><th>${name}</th><td>${v.dataType}</td><td>${v.stringValue ?? v.binaryValue}</td></tr>`)}
        </table>`}
    </li>`;
}

function Peek({ name, generation }) {
  const [states, setStates] = useState({ visible: true, inflight: true, delayed: true });
  const wanted = STATES.filter(([key]) => states[key]).map(([key]) => key).join(',');
  const [page, reload] = useResource(
      () => get(`/v1/queues/${seg(name)}/messages?limit=50&state=${wanted || 'visible'}`),
      [name, wanted, generation]);
  return html`
    <section>
      <h2>Messages</h2>
      <p class="muted small">A peek: it changes nothing (no receive count, no visibility timeout).</p>
      <div class="toolbar">
        ${STATES.map(([key, label]) => html`
          <label><input type="checkbox" checked=${states[key]}
                        onChange=${(e) => setStates({ ...states, [key]: e.target.checked })} />
                 ${label}</label>`)}
        <button onClick=${reload}>Peek</button>
      </div>
      <${ErrorNote} error=${page.error} />
      ${page.data && (page.data.messages.length === 0
        ? html`<p class="muted">No messages.</p>`
        : html`<ul class="messages">${page.data.messages.map((m) => html`
            <${Message} key=${m.seq} message=${m} />`)}</ul>
               ${page.data.next !== null && html`<p class="muted small">Showing the first 50.</p>`}`)}
    </section>`;
}

function SendForm({ name, fifo, onSent }) {
  const [form, setForm] = useState({ body: '', delaySeconds: '', messageGroupId: '',
                                     messageDeduplicationId: '' });
  const [result, setResult] = useState(null);
  const field = (key) => (e) => setForm({ ...form, [key]: e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    const request = { body: form.body };
    if (form.delaySeconds !== '') request.delaySeconds = Number(form.delaySeconds);
    if (form.messageGroupId) request.messageGroupId = form.messageGroupId;
    if (form.messageDeduplicationId) request.messageDeduplicationId = form.messageDeduplicationId;
    try {
      const sent = await post(`/v1/queues/${seg(name)}/messages`, request);
      setResult({ sent });
      onSent();
    } catch (error) {
      setResult({ error });
    }
  };
  return html`
    <section>
      <h2>Send a message</h2>
      <form class="stack" onSubmit=${submit} aria-label="Send a message">
        <textarea rows="4" placeholder='{"type": "order.created", ...}' aria-label="Message body"
                  value=${form.body} onInput=${field('body')}></textarea>
        <div class="toolbar">
          ${fifo
            ? html`
              <input placeholder="Message group id" aria-label="Message group id"
                     value=${form.messageGroupId} onInput=${field('messageGroupId')} />
              <input placeholder="Deduplication id" aria-label="Deduplication id"
                     value=${form.messageDeduplicationId}
                     onInput=${field('messageDeduplicationId')} />`
            : html`
              <input type="number" min="0" max="900" placeholder="Delay (s)" aria-label="Delay seconds"
                     value=${form.delaySeconds} onInput=${field('delaySeconds')} />`}
          <button type="submit">Send</button>
        </div>
      </form>
      ${result?.sent && html`<p class="ok" role="status">Sent <code>${result.sent.messageId}</code></p>`}
      <${ErrorNote} error=${result?.error} />
    </section>`;
}

function Purge({ name, onPurged }) {
  const [typed, setTyped] = useState('');
  const [result, setResult] = useState(null);
  const purge = async () => {
    try {
      await post(`/v1/queues/${seg(name)}/purge`);
      setResult({ ok: true });
      setTyped('');
      onPurged();
    } catch (error) {
      setResult({ error });
    }
  };
  return html`
    <section>
      <h2>Purge</h2>
      <div class="toolbar">
        <input placeholder=${`type ${name} to confirm`} aria-label="Queue name to confirm purge"
               value=${typed} onInput=${(e) => setTyped(e.target.value)} />
        <button class="danger" disabled=${typed !== name} onClick=${purge}>Purge queue</button>
      </div>
      ${result?.ok && html`<p class="ok" role="status">Purged.</p>`}
      <${ErrorNote} error=${result?.error} />
    </section>`;
}

function Redrive({ name, sources, queues, onChange }) {
  const [destination, setDestination] = useState('');
  const [rate, setRate] = useState('');
  const [error, setError] = useState(null);
  const [tasks, reload] = useResource(() => get(`/v1/queues/${seg(name)}/redrive`), [name], 1000);
  const running = tasks.data?.tasks.find((t) => t.status === 'RUNNING');
  const act = async (action) => {
    setError(null);
    try {
      await action();
      reload();
      onChange();
    } catch (e) {
      setError(e);
    }
  };
  const start = () => act(() => post(`/v1/queues/${seg(name)}/redrive`, {
    destination: destination || null,
    maxPerSecond: rate === '' ? null : Number(rate),
  }));
  return html`
    <section>
      <h2>Redrive</h2>
      <p class="muted small">This is the dead-letter queue of ${sources.map((s, i) => html`
        ${i > 0 ? ', ' : ''}<a href=${link(`/queues/${encodeURIComponent(s)}`)}>${s}</a>`)}.
        A redrive moves its messages back (StartMessageMoveTask).</p>
      <div class="toolbar">
        <select aria-label="Redrive destination" value=${destination}
                onChange=${(e) => setDestination(e.target.value)}>
          <option value="">to their source queues</option>
          ${queues.filter((q) => q !== name).map((q) => html`<option value=${q}>to ${q}</option>`)}
        </select>
        <input type="number" min="1" max="500" placeholder="Messages/s (optional)"
               aria-label="Messages per second" value=${rate} onInput=${(e) => setRate(e.target.value)} />
        <button onClick=${start} disabled=${Boolean(running)}>Start redrive</button>
        ${running && html`<button class="danger" onClick=${() => act(() => remove(`/v1/queues/${seg(name)}/redrive`))}>
                            Cancel</button>`}
      </div>
      <${ErrorNote} error=${error ?? tasks.error} />
      ${tasks.data?.tasks.length > 0 && html`
        <table class="grid" aria-label="Move tasks">
          <thead><tr><th>Started</th><th>Status</th><th>Progress</th><th>Destination</th></tr></thead>
          <tbody>${tasks.data.tasks.map((t) => html`
            <tr key=${t.taskHandle} class="move-task">
              <td>${formatTime(t.startedAt)}</td>
              <td><${Badge} kind=${t.status.toLowerCase()}>${t.status}<//>
                  ${t.failureReason && html` <span class="error">${t.failureReason}</span>`}</td>
              <td><progress max=${Math.max(t.toMove, 1)} value=${t.moved}></progress>
                  ${' '}<span class="moved">${t.moved}</span> / ${t.toMove}</td>
              <td>${t.destinationArn ? t.destinationArn.split(':').pop() : 'source queues'}</td>
            </tr>`)}</tbody>
        </table>`}
    </section>`;
}

export function QueuePage({ params: [name] }) {
  const [generation, setGeneration] = useState(0);
  const refresh = () => setGeneration((g) => g + 1);
  const [queue] = useResource(() => get(`/v1/queues/${seg(name)}`), [name, generation], 2000);
  const [all] = useResource(() => get('/v1/queues'), [name, generation], 5000);
  if (!queue.data) {
    return html`<h1>${name}</h1><${ErrorNote} error=${queue.error} />`;
  }
  const q = queue.data;
  const queues = all.data?.queues ?? [];
  const sources = queues.filter((other) => other.deadLetterTarget === name).map((o) => o.name);
  return html`
    <h1>${name} <${Badge} kind=${q.type}>${q.type}<//>
      ${sources.length > 0 && html` <${Badge} kind="dlq">DLQ<//>`}</h1>
    <p class="stats">
      <span class="stat"><b class="visible-count">${q.visible}</b> visible</span>
      <span class="stat"><b>${q.inFlight}</b> in flight</span>
      <span class="stat"><b>${q.delayed}</b> delayed</span>
      <span class="stat">oldest <b>${formatAge(q.oldestMessageAgeSeconds)}</b></span>
      ${q.deadLetterTarget && html`<span class="stat">dead letters go to
        <a href=${link(`/queues/${encodeURIComponent(q.deadLetterTarget)}`)}>${q.deadLetterTarget}</a></span>`}
    </p>
    <p class="muted small"><code>${q.url}</code></p>
    <${Peek} name=${name} generation=${generation} />
    <${SendForm} name=${name} fifo=${q.type === 'fifo'} onSent=${refresh} />
    ${sources.length > 0 && html`
      <${Redrive} name=${name} sources=${sources} queues=${queues.map((o) => o.name)}
                  onChange=${refresh} />`}
    <${Purge} name=${name} onPurged=${refresh} />
    <details>
      <summary>Attributes and tags</summary>
      <table class="kv">${Object.entries(q.attributes).map(([key, value]) => html`
        <tr><th>${key}</th><td><code>${value}</code></td></tr>`)}
        ${Object.entries(q.tags).map(([key, value]) => html`
        <tr><th>tag ${key}</th><td><code>${value}</code></td></tr>`)}
      </table>
    </details>`;
}
