// EventBridge: the buses with their rule counts, one bus's rules with their patterns or
// schedules and targets, a form that puts one event on it, and a pattern tester
// (TestEventPattern) over a rule's pattern or a pasted one. Also the overview's bus table.
import { html, useState } from '../vendor/preact-htm.js';

import { get, post, seg } from '../api.js';
import { Badge, ErrorNote, Json, formatTime, link, useResource } from '../ui.js';

const busLink = (name) => link(`/buses/${encodeURIComponent(name)}`);

/** The queue page of an SQS ARN of this daemon, else null. */
function queueLink(arn) {
  const match = /^arn:aws:sqs:[^:]*:[^:]*:([^:]+)$/.exec(arn ?? '');
  return match ? link(`/queues/${encodeURIComponent(match[1])}`) : null;
}

function Arn({ arn }) {
  if (!arn) return html`<span class="muted">–</span>`;
  const queue = queueLink(arn);
  return queue ? html`<a href=${queue} title=${arn}>${arn.split(':').pop()}</a>`
               : html`<code>${arn}</code>`;
}

function BusTable({ buses }) {
  return html`
    <table class="grid" aria-label="Event buses">
      <thead><tr>
        <th>Bus</th><th class="num">Rules</th><th class="num">Archives</th>
        <th>Dead-letter queue</th><th>Created</th>
      </tr></thead>
      <tbody>${buses.map((b) => html`
        <tr key=${b.name}>
          <td><a href=${busLink(b.name)}>${b.name}</a>
              ${b.description && html` <span class="muted small">${b.description}</span>`}</td>
          <td class="num">${b.ruleCount}</td>
          <td class="num">${b.archiveCount}</td>
          <td><${Arn} arn=${b.deadLetterArn} /></td>
          <td class="small">${formatTime(b.createdAt)}</td>
        </tr>`)}</tbody>
    </table>`;
}

/** The overview's section: every bus of the default account with its counts. */
export function BusSummary() {
  const [buses] = useResource(() => get('/v1/buses'), [], 5000);
  if (!buses.data) return html`<${ErrorNote} error=${buses.error} />`;
  return html`
    <section>
      <h2><a href="#/buses">Event buses</a></h2>
      <${BusTable} buses=${buses.data.buses} />
    </section>`;
}

export function BusesPage() {
  const [buses] = useResource(() => get('/v1/buses'), [], 2000);
  return html`
    <h1>Event buses</h1>
    <p class="muted small">The default account's EventBridge buses. Create buses and rules with any
      EventBridge client, e.g. <code>aws --endpoint-url ${location.origin} events put-rule</code>.</p>
    <${ErrorNote} error=${buses.error} />
    ${buses.data && html`<${BusTable} buses=${buses.data.buses} />`}`;
}

function Target({ target }) {
  const t = target;
  const input = t.input !== null ? html`constant <code>${t.input}</code>`
    : t.inputPath !== null ? html`path <code>${t.inputPath}</code>`
    : t.inputTransformer ? html`transformer <code>${t.inputTransformer.inputTemplate}</code>`
    : html`<span class="muted">the event</span>`;
  const retry = t.retryPolicy
    ? [t.retryPolicy.maximumRetryAttempts !== null && `${t.retryPolicy.maximumRetryAttempts} retries`,
       t.retryPolicy.maximumEventAgeInSeconds !== null && `${t.retryPolicy.maximumEventAgeInSeconds} s`]
        .filter(Boolean).join(', ')
    : '';
  return html`
    <tr class="rule-target">
      <td><code>${t.id}</code></td>
      <td><${Arn} arn=${t.arn} /></td>
      <td>${input}</td>
      <td><${Arn} arn=${t.deadLetterArn} /></td>
      <td>${retry || html`<span class="muted">default</span>`}</td>
    </tr>`;
}

function Rule({ rule }) {
  return html`
    <li class="message rule" data-rule=${rule.name}>
      <div class="message-head">
        <b>${rule.name}</b>
        <${Badge} kind=${rule.state === 'DISABLED' ? 'disabled' : 'enabled'}>${rule.state}<//>
        ${rule.managedBy && html`<span class="muted">managed by ${rule.managedBy}</span>`}
        ${rule.description && html`<span class="muted">${rule.description}</span>`}
      </div>
      ${rule.eventPattern !== null
        ? html`<${Json} value=${rule.eventPattern} />`
        : html`<p>Schedule <code>${rule.scheduleExpression}</code></p>`}
      ${rule.targets.length === 0
        ? html`<p class="muted small">No targets.</p>`
        : html`
          <table class="grid" aria-label=${`Targets of ${rule.name}`}>
            <thead><tr><th>Target</th><th>ARN</th><th>Input</th><th>Dead-letter queue</th>
                       <th>Retries</th></tr></thead>
            <tbody>${rule.targets.map((t) => html`<${Target} key=${t.id} target=${t} />`)}</tbody>
          </table>`}
    </li>`;
}

function PutEventForm({ name }) {
  const [form, setForm] = useState({ source: '', detailType: '', detail: '{}', resources: '' });
  const [result, setResult] = useState(null);
  const field = (key) => (e) => setForm({ ...form, [key]: e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    const resources = form.resources.split(/[\s,]+/).filter(Boolean);
    try {
      const put = await post(`/v1/buses/${seg(name)}/events`, {
        source: form.source, detailType: form.detailType, detail: form.detail, resources,
      });
      setResult({ put });
    } catch (error) {
      setResult({ error });
    }
  };
  return html`
    <section>
      <h2>Put an event</h2>
      <form class="stack" onSubmit=${submit} aria-label="Put an event">
        <div class="toolbar">
          <input placeholder="Source, e.g. my.app" aria-label="Source" value=${form.source}
                 onInput=${field('source')} />
          <input placeholder="Detail type" aria-label="Detail type" value=${form.detailType}
                 onInput=${field('detailType')} />
        </div>
        <textarea rows="4" aria-label="Detail" value=${form.detail}
                  onInput=${field('detail')}></textarea>
        <div class="toolbar">
          <input placeholder="Resources (ARNs, optional)" aria-label="Resources"
                 value=${form.resources} onInput=${field('resources')} />
          <button type="submit">Put event</button>
        </div>
      </form>
      ${result?.put && html`<p class="ok" role="status">Put event <code>${result.put.eventId}</code></p>`}
      <${ErrorNote} error=${result?.error} />
    </section>`;
}

/** The first string a pattern allows for `field` (["a"] or "a"), else `fallback`. */
function patternValue(pattern, field, fallback) {
  const value = pattern?.[field];
  const first = Array.isArray(value) ? value.find((v) => typeof v === 'string') : undefined;
  return first ?? fallback;
}

/**
 * A complete event for the tester: TestEventPattern wants id, account, time, region, resources,
 * source and detail-type. Source and detail type come from `pattern` where it names them.
 */
function sampleEvent(busArn, pattern) {
  const [, , , region = 'us-east-1', account = '000000000000'] = (busArn ?? '').split(':');
  return JSON.stringify({
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': patternValue(pattern, 'detail-type', 'Something Happened'),
    source: patternValue(pattern, 'source', 'my.app'),
    account,
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    region,
    resources: [],
    detail: {},
  }, null, 2);
}

function PatternTester({ bus }) {
  const withPattern = bus.rules.filter((r) => r.eventPattern !== null);
  const first = withPattern[0]?.eventPattern ?? null;
  const [chosen, setChosen] = useState(withPattern[0]?.name ?? '');
  const [pattern, setPattern] = useState(first ? JSON.stringify(first, null, 2) : '');
  const [event, setEvent] = useState(sampleEvent(bus.arn, first));
  const [result, setResult] = useState(null);
  const choose = (ruleName) => {
    setChosen(ruleName);
    setResult(null);
    const rule = withPattern.find((r) => r.name === ruleName);
    if (rule) {
      setPattern(JSON.stringify(rule.eventPattern, null, 2));
      setEvent(sampleEvent(bus.arn, rule.eventPattern));
    }
  };
  const test = async () => {
    try {
      setResult(await post('/v1/event-patterns/test', { eventPattern: pattern, event }));
    } catch (error) {
      setResult({ error });
    }
  };
  return html`
    <section>
      <h2>Test a pattern</h2>
      <p class="muted small">TestEventPattern: does the event match the pattern? The event needs
        id, account, time, region, resources, source and detail-type.</p>
      <div class="toolbar">
        <select aria-label="Pattern of rule" value=${chosen} onChange=${(e) => choose(e.target.value)}>
          <option value="">a pattern of my own</option>
          ${withPattern.map((r) => html`<option value=${r.name}>the pattern of ${r.name}</option>`)}
        </select>
      </div>
      <div class="columns">
        <textarea rows="12" aria-label="Event pattern" placeholder='{"source": ["my.app"]}'
                  value=${pattern}
                  onInput=${(e) => { setChosen(''); setPattern(e.target.value); }}></textarea>
        <textarea rows="12" aria-label="Sample event" value=${event}
                  onInput=${(e) => setEvent(e.target.value)}></textarea>
      </div>
      <div class="toolbar">
        <button onClick=${test}>Test pattern</button>
        ${result && !result.error && html`
          <span role="status" class="pattern-result">
            ${result.matches ? html`<${Badge} kind="match">Match<//>`
                             : html`<${Badge} kind="no-match">No match<//>`}</span>`}
      </div>
      <${ErrorNote} error=${result?.error} />
    </section>`;
}

export function BusPage({ params: [name] }) {
  const [bus] = useResource(() => get(`/v1/buses/${seg(name)}`), [name], 5000);
  if (!bus.data) {
    return html`<h1>${name}</h1><${ErrorNote} error=${bus.error} />`;
  }
  const b = bus.data;
  return html`
    <h1>${b.name}</h1>
    <p class="stats">
      <span class="stat"><b>${b.ruleCount}</b> rules</span>
      <span class="stat"><b>${b.archiveCount}</b> archives</span>
      ${b.deadLetterArn && html`<span class="stat">dead letters go to <${Arn} arn=${b.deadLetterArn} /></span>`}
      ${b.description && html`<span class="muted">${b.description}</span>`}
    </p>
    <p class="muted small"><code>${b.arn}</code></p>
    <section>
      <h2>Rules</h2>
      ${b.rules.length === 0
        ? html`<p class="muted">No rules on this bus.</p>`
        : html`<ul class="messages">${b.rules.map((r) => html`<${Rule} key=${r.name} rule=${r} />`)}</ul>`}
    </section>
    <${PutEventForm} name=${b.name} />
    <${PatternTester} key=${b.name} bus=${b} />`;
}
