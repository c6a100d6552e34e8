// SNS topics: the list (also a small table on the overview page), and one topic with its
// attributes, its subscriptions and their filter policies, a publish form and a filter-policy
// tester that asks the daemon (POST /v1/filter-policies/test) whether a policy takes a message.
import { html, useEffect, useState } from '../vendor/preact-htm.js';

import { get, post, seg } from '../api.js';
import { Badge, ErrorNote, Json, formatTime, link, useResource } from '../ui.js';

const ATTRIBUTE_TYPES = ['String', 'Number', 'String.Array', 'Binary'];

const topicLink = (name) => link(`/topics/${encodeURIComponent(name)}`);

/** The name at the end of an ARN (arn:aws:sqs:REGION:ACCOUNT:NAME). */
const arnName = (arn) => arn.split(':').pop();

function TopicTable({ topics, filter = '' }) {
  if (topics.length === 0) {
    return html`<p class="muted">No topics yet. Create one with any SNS client, e.g.
      <code>aws --endpoint-url ${location.origin} sns create-topic --name orders</code></p>`;
  }
  return html`
    <table class="grid" aria-label="Topics">
      <thead><tr>
        <th>Topic</th><th class="num">Confirmed</th><th class="num">Pending</th>
        <th class="num">Published</th><th class="num">Delivered</th>
        <th class="num">Filtered out</th><th class="num">Failed</th>
      </tr></thead>
      <tbody>
        ${topics.filter((t) => t.name.includes(filter)).map((t) => html`
          <tr key=${t.name} class=${t.failed > 0 ? 'alert' : ''}>
            <td><a href=${topicLink(t.name)}>${t.name}</a>
                ${' '}<${Badge} kind=${t.type}>${t.type}<//></td>
            <td class="num">${t.subscriptionsConfirmed}</td>
            <td class="num">${t.subscriptionsPending}</td>
            <td class="num">${t.published}</td>
            <td class="num">${t.delivered}</td>
            <td class="num">${t.filteredOut}</td>
            <td class="num">${t.failed}</td>
          </tr>`)}
      </tbody>
    </table>`;
}

/** The overview page's topics: its own section, refreshed every 5 s. */
export function TopicsSummary() {
  const [topics] = useResource(() => get('/v1/topics'), [], 5000);
  return html`
    <section>
      <h2><a href="#/topics">Topics</a></h2>
      <${ErrorNote} error=${topics.error} />
      ${topics.data && html`<${TopicTable} topics=${topics.data.topics} />`}
    </section>`;
}

export function TopicsPage() {
  const [filter, setFilter] = useState('');
  const [topics] = useResource(() => get('/v1/topics'), [], 2000);
  const list = topics.data?.topics ?? [];
  return html`
    <section>
      <h1>Topics</h1>
      <p class="stats">
        <span class="stat"><b>${list.length}</b> topics</span>
        <span class="stat"><b>${list.reduce((n, t) => n + t.published, 0)}</b> published</span>
        <input type="search" placeholder="Filter by name" aria-label="Filter topics"
               value=${filter} onInput=${(e) => setFilter(e.target.value)} />
      </p>
      <${ErrorNote} error=${topics.error} />
      ${topics.data && html`<${TopicTable} topics=${list} filter=${filter} />`}
    </section>`;
}

/** Rows of message attributes as the /v1 routes take them: {name: {dataType, stringValue}}. */
function attributesOf(rows) {
  const out = {};
  for (const { name, type, value } of rows) {
    if (!name) continue;
    out[name] = type === 'Binary' ? { dataType: type, binaryValue: value }
                                  : { dataType: type, stringValue: value };
  }
  return out;
}

function AttributeRows({ rows, setRows }) {
  const change = (i, key) => (e) => setRows(rows.map((row, j) => (j === i ? { ...row, [key]: e.target.value }
                                                                            : row)));
  return html`
    <div class="stack">
      ${rows.map((row, i) => html`
        <div class="toolbar attribute-row" key=${i}>
          <input placeholder="Attribute name" aria-label="Attribute name" value=${row.name}
                 onInput=${change(i, 'name')} />
          <select aria-label="Attribute type" value=${row.type} onChange=${change(i, 'type')}>
            ${ATTRIBUTE_TYPES.map((type) => html`<option value=${type}>${type}</option>`)}
          </select>
          <input placeholder=${row.type === 'Binary' ? 'base64' : row.type === 'String.Array'
                                ? '["a", "b"]' : 'value'}
                 aria-label="Attribute value" value=${row.value} onInput=${change(i, 'value')} />
          <button type="button" class="link" onClick=${() => setRows(rows.filter((_, j) => j !== i))}>
            remove</button>
        </div>`)}
      <div><button type="button" onClick=${() => setRows([...rows, { name: '', type: 'String', value: '' }])}>
        Add attribute</button></div>
    </div>`;
}

function Subscriptions({ subscriptions, onTest }) {
  if (subscriptions.length === 0) return html`<p class="muted">No subscriptions.</p>`;
  return html`
    <table class="grid" aria-label="Subscriptions">
      <thead><tr><th>Protocol</th><th>Endpoint</th><th>Status</th><th>Filter policy</th>
                 <th>Dead-letter queue</th></tr></thead>
      <tbody>${subscriptions.map((s) => html`
        <tr key=${s.arn} class="subscription">
          <td>${s.protocol}${s.rawMessageDelivery && html` <${Badge} kind="raw">raw<//>`}</td>
          <td>${s.protocol === 'sqs'
                ? html`<a href=${link(`/queues/${encodeURIComponent(arnName(s.endpoint))}`)}>
                         ${arnName(s.endpoint)}</a>`
                : html`<code>${s.endpoint}</code>`}
              <div class="muted small"><code>${s.arn}</code></div></td>
          <td><${Badge} kind=${s.confirmed ? 'confirmed' : 'pending'}>
                ${s.confirmed ? 'confirmed' : 'pending'}<//></td>
          <td>${s.filterPolicy
                ? html`<span class="muted small">scope ${s.filterPolicyScope}</span>
                       <${Json} value=${s.filterPolicy} />
                       <button class="link" onClick=${() => onTest(s)}>Try it in the tester</button>`
                : html`<span class="muted">none: every message</span>`}</td>
          <td>${s.deadLetterTarget
                ? html`<a href=${link(`/queues/${encodeURIComponent(s.deadLetterTarget)}`)}>
                         ${s.deadLetterTarget}</a>`
                : html`<span class="muted">–</span>`}</td>
        </tr>`)}
      </tbody>
    </table>`;
}

function PublishForm({ name, fifo, onPublished }) {
  const [form, setForm] = useState({ message: '', subject: '', messageGroupId: '',
                                     messageDeduplicationId: '', json: false });
  const [rows, setRows] = useState([]);
  const [result, setResult] = useState(null);
  const field = (key) => (e) => setForm({ ...form, [key]: e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    const request = { message: form.message, messageAttributes: attributesOf(rows) };
    if (form.subject) request.subject = form.subject;
    if (form.json) request.messageStructure = 'json';
    if (form.messageGroupId) request.messageGroupId = form.messageGroupId;
    if (form.messageDeduplicationId) request.messageDeduplicationId = form.messageDeduplicationId;
    try {
      setResult({ published: await post(`/v1/topics/${seg(name)}/publish`, request) });
      onPublished();
    } catch (error) {
      setResult({ error });
    }
  };
  return html`
    <section>
      <h2>Publish a message</h2>
      <form class="stack" onSubmit=${submit} aria-label="Publish a message">
        <textarea rows="4" placeholder='{"type": "order.created", ...}' aria-label="Message"
                  value=${form.message} onInput=${field('message')}></textarea>
        <div class="toolbar">
          <input placeholder="Subject (optional)" aria-label="Subject" value=${form.subject}
                 onInput=${field('subject')} />
          ${fifo && html`
            <input placeholder="Message group id" aria-label="Message group id"
                   value=${form.messageGroupId} onInput=${field('messageGroupId')} />
            <input placeholder="Deduplication id" aria-label="Deduplication id"
                   value=${form.messageDeduplicationId} onInput=${field('messageDeduplicationId')} />`}
          <label><input type="checkbox" checked=${form.json}
                        onChange=${(e) => setForm({ ...form, json: e.target.checked })} />
                 one message per protocol (MessageStructure json)</label>
        </div>
        <${AttributeRows} rows=${rows} setRows=${setRows} />
        <div><button type="submit">Publish</button></div>
      </form>
      ${result?.published && html`
        <p class="ok" role="status">Published <code>${result.published.messageId}</code>
          ${result.published.sequenceNumber && ` (sequence number ${result.published.sequenceNumber})`}</p>`}
      <${ErrorNote} error=${result?.error} />
    </section>`;
}

function Tester({ subscriptions, picked, setPicked }) {
  const withPolicy = subscriptions.filter((s) => s.filterPolicy);
  const [policy, setPolicy] = useState('');
  const [scope, setScope] = useState('MessageAttributes');
  const [message, setMessage] = useState('');
  const [rows, setRows] = useState([{ name: '', type: 'String', value: '' }]);
  const [result, setResult] = useState(null);
  // A subscription picked here or in its table row fills in its policy and scope.
  useEffect(() => {
    const s = withPolicy.find((x) => x.arn === picked);
    if (s) {
      setPolicy(JSON.stringify(JSON.parse(s.filterPolicy), null, 2));
      setScope(s.filterPolicyScope);
    }
    setResult(null);
  }, [picked]);
  const test = async (e) => {
    e.preventDefault();
    try {
      setResult(await post('/v1/filter-policies/test', {
        filterPolicy: policy, scope, message, messageAttributes: attributesOf(rows) }));
    } catch (error) {
      setResult({ error });
    }
  };
  return html`
    <section id="tester">
      <h2>Filter-policy tester</h2>
      <p class="muted small">Would a subscription with this policy get the message? Checked by the
        daemon with the matcher that filters publishes; nothing is published.</p>
      <form class="stack" onSubmit=${test} aria-label="Filter-policy tester">
        <div class="toolbar">
          <select aria-label="Policy from" value=${picked ?? ''}
                  onChange=${(e) => setPicked(e.target.value || null)}>
            <option value="">a policy pasted below</option>
            ${withPolicy.map((s) => html`
              <option value=${s.arn}>the policy of ${s.protocol} ${arnName(s.endpoint)}</option>`)}
          </select>
          <select aria-label="Scope" value=${scope} onChange=${(e) => setScope(e.target.value)}>
            <option value="MessageAttributes">scope MessageAttributes</option>
            <option value="MessageBody">scope MessageBody</option>
          </select>
        </div>
        <textarea rows="6" placeholder='{"eventType": ["order.created"]}' aria-label="Filter policy"
                  value=${policy} onInput=${(e) => setPolicy(e.target.value)}></textarea>
        ${scope === 'MessageBody'
          ? html`<textarea rows="4" placeholder='{"order": {"status": "paid"}}' aria-label="Message body"
                           value=${message} onInput=${(e) => setMessage(e.target.value)}></textarea>`
          : html`<${AttributeRows} rows=${rows} setRows=${setRows} />`}
        <div><button type="submit">Test</button></div>
      </form>
      ${result && !result.error && html`
        <p role="status" class="match-result">
          <${Badge} kind=${result.matches ? 'match' : 'no-match'}>${result.matches ? 'match' : 'no match'}<//>
          ${result.matches ? ' the subscription would get this message'
                           : ' the subscription would not get this message'}</p>`}
      <${ErrorNote} error=${result?.error} />
    </section>`;
}

export function TopicPage({ params: [name] }) {
  const [generation, setGeneration] = useState(0);
  const [picked, setPicked] = useState(null);
  const [topic] = useResource(() => get(`/v1/topics/${seg(name)}`), [name, generation], 2000);
  if (!topic.data) {
    return html`<h1>${name}</h1><${ErrorNote} error=${topic.error} />`;
  }
  const t = topic.data;
  const tryPolicy = (s) => {
    setPicked(s.arn);
    document.getElementById('tester')?.scrollIntoView();
  };
  return html`
    <h1>${name} <${Badge} kind=${t.type}>${t.type}<//></h1>
    <p class="stats">
      <span class="stat"><b>${t.subscriptionsConfirmed}</b> confirmed</span>
      <span class="stat"><b>${t.subscriptionsPending}</b> pending</span>
      <span class="stat"><b class="published-count">${t.published}</b> published</span>
      <span class="stat"><b>${t.delivered}</b> delivered</span>
      <span class="stat"><b>${t.filteredOut}</b> filtered out</span>
      <span class="stat"><b>${t.failed}</b> failed</span>
    </p>
    <p class="muted small"><code>${t.arn}</code> · created ${formatTime(t.createdAt)}</p>
    <section>
      <h2>Subscriptions</h2>
      <${Subscriptions} subscriptions=${t.subscriptions} onTest=${tryPolicy} />
    </section>
    <${PublishForm} name=${name} fifo=${t.type === 'fifo'}
                    onPublished=${() => setGeneration((g) => g + 1)} />
    <${Tester} subscriptions=${t.subscriptions} picked=${picked} setPicked=${setPicked} />
    <details>
      <summary>Attributes and tags</summary>
      <table class="kv">${Object.entries(t.attributes).map(([key, value]) => html`
        <tr><th>${key}</th><td><code>${value}</code></td></tr>`)}
        ${Object.entries(t.tags).map(([key, value]) => html`
        <tr><th>tag ${key}</th><td><code>${value}</code></td></tr>`)}
      </table>
    </details>`;
}
