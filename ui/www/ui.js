// Pieces every page uses: data loading with refresh, formatting, small components.
import { html, useEffect, useState } from './vendor/preact-htm.js';

/**
 * Runs `load` (async) now, when `deps` change, on `reload()`, and every `intervalMs` if given.
 * Keeps the last data while a refresh fails, so a page does not blank on one error.
 */
export function useResource(load, deps, intervalMs = 0) {
  const [state, setState] = useState({ data: null, error: null, loaded: false });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    let timer;
    const run = async () => {
      try {
        const data = await load();
        if (live) setState({ data, error: null, loaded: true });
      } catch (error) {
        if (live) setState((s) => ({ data: s.data, error, loaded: true }));
      }
      if (live && intervalMs > 0) timer = setTimeout(run, intervalMs);
    };
    run();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [...deps, generation]);
  return [state, () => setGeneration((g) => g + 1)];
}

/** `body` pretty-printed when it is JSON, as it is otherwise. */
export function prettyBody(body) {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** A millisecond epoch (number or numeric string) or ISO time as local "HH:MM:SS.mmm" with date. */
export function formatTime(value) {
  if (value === undefined || value === null || value === '' || value === '0') return '–';
  const date = /^\d+$/.test(String(value)) ? new Date(Number(value)) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace('T', ' ').replace('Z', ' UTC');
}

/** Seconds as "42 s", "3 min", "2 h". */
export function formatAge(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

export const link = (path) => `#${path}`;

export function ErrorNote({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.code ? `${error.code}: ` : ''}${error.message}</p>`;
}

export function Badge({ kind, children }) {
  return html`<span class=${`badge badge-${kind}`}>${children}</span>`;
}

export function Json({ value }) {
  return html`<pre class="json">${typeof value === 'string' ? prettyBody(value)
                                                           : JSON.stringify(value, null, 2)}</pre>`;
}
