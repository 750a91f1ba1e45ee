// Building the page with DOM APIs only: every value becomes a text node, never markup. Partner-supplied text
// (payloads, headers, errors, event names) may hold anything, and nothing here parses strings as HTML.

/**
 * h('td', {class: 'bad'}, 'text', childNode, [more]) -> an element. Strings and numbers become text nodes;
 * attributes are set with setAttribute (never on* handlers: pass functions as `on: {click: fn}`).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'on') {
      for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    } else if (name.startsWith('on')) {
      throw new Error('event handlers go in attrs.on, not as attributes: ' + name);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

/** A table: columns [{title, cell(row) -> node|string, className?(row)}], rows, and a rowClass(row). */
export function table(columns, rows, rowClass, empty) {
  if (!rows.length) return h('p', {class: 'empty'}, empty || 'Nothing to show.');
  return h('table', {},
    h('thead', {}, h('tr', {}, columns.map(c => h('th', {scope: 'col'}, c.title)))),
    h('tbody', {}, rows.map(r => h('tr', {class: rowClass ? rowClass(r) : null},
      columns.map(c => h('td', {class: c.className ? c.className(r) : null}, c.cell(r)))))));
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** 95 -> "1m 35s": ages and lags an operator reads at a glance. */
export function age(seconds) {
  if (seconds === null || seconds === undefined || isNaN(seconds)) return '—';
  let s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hh = Math.floor(s / 3600); s -= hh * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d) return `${d}d ${hh}h`;
  if (hh) return `${hh}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

export function since(iso) {
  if (!iso) return null;
  return (Date.now() - new Date(iso).getTime()) / 1000;
}

export function badge(text, level) {
  return h('span', {class: 'badge ' + (level || '')}, text);
}
