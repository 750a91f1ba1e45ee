// One message as GET /ops/dead-letters/{receiptId} shows it (any status): summary, actions, payload, headers and
// the attempt history as a timeline. Shared by the dead-letter detail and the receipt lookup.
import {api} from '../api.js';
import {h, replace, table, when} from '../dom.js';
import {actionButton, readOnlyNote, section, notice} from '../ui.js';

const POLL_MS = 1000;
const SETTLED = ['delivered', 'dead', 'discarded'];

export function statusBadge(status) {
  const level = status === 'delivered' ? 'ok' : status === 'dead' ? 'bad' : status === 'discarded' ? 'muted' : 'warn';
  return h('span', {id: 'message-status', class: 'badge ' + level}, status);
}

function pretty(payload) {
  if (typeof payload === 'string') {
    try { return JSON.stringify(JSON.parse(payload), null, 2); } catch (e) { return payload; }
  }
  return JSON.stringify(payload, null, 2);
}

function timeline(history) {
  if (!history.length) return h('p', {class: 'empty'}, 'No attempts yet.');
  return h('ol', {id: 'timeline', class: 'timeline'}, history.map(a => h('li', {class: 'attempt ' + (a.outcome === 'delivered' ? 'ok' : a.outcome === 'dead' ? 'bad' : 'warn')},
    h('div', {class: 'when'}, when(a.at)),
    h('div', {class: 'what'},
      h('strong', {}, a.replay ? `Replay ${a.replay}, attempt ${a.attempt}` : `Attempt ${a.attempt}`), ' · ',
      h('span', {class: 'outcome'}, a.outcome),
      a.httpStatus !== null && a.httpStatus !== undefined ? ` · HTTP ${a.httpStatus}` : '',
      ` · ${a.durationMs} ms`),
    a.errorClass || a.errorMessage ? h('div', {class: 'error-text'}, [a.errorClass, a.errorMessage].filter(Boolean).join(': ')) : null)));
}

/**
 * Renders the message into `into`, polls it while it is in flight (after a replay, until it settles), and returns
 * a stop function.
 */
export async function showMessage(into, receiptId, {stale}) {
  let timer = null;
  const stop = () => { if (timer) clearTimeout(timer); timer = null; };

  const load = async () => {
    const [m, trail] = await Promise.all([
      api('/ops/dead-letters/' + encodeURIComponent(receiptId)),
      api('/ops/audit?limit=20&receiptId=' + encodeURIComponent(receiptId))]);
    if (stale()) return;
    render(m, trail);
    stop();
    if (!SETTLED.includes(m.status)) timer = setTimeout(() => load().catch(() => {}), POLL_MS);
  };

  const render = (m, trail) => {
    const reason = h('textarea', {id: 'discard-reason', rows: 2, placeholder: 'Why give up on this message (required, audited)'});
    const discard = actionButton('Discard', async () => {
      const text = reason.value.trim();
      if (!text) { notice('A discard needs a reason.', 'error'); return; }
      await api(`/ops/dead-letters/${encodeURIComponent(receiptId)}/discard`, {method: 'POST', body: {reason: text}});
      notice(`Discarded ${receiptId}.`, 'ok');
      await load();
    }, {id: 'discard', cls: 'action danger'});
    // No reason, no discard: the button waits for one.
    const syncDiscard = () => { discard.disabled = !reason.value.trim() || discard.dataset.readOnly === 'true'; };
    discard.dataset.readOnly = String(discard.disabled);
    reason.addEventListener('input', syncDiscard);
    syncDiscard();

    const replay = actionButton('Replay', async () => {
      await api(`/ops/dead-letters/${encodeURIComponent(receiptId)}/replay`, {method: 'POST'});
      notice(`Replayed ${receiptId}: back in the journal under the same receipt id.`, 'ok');
      await load();
    }, {id: 'replay'});

    const dead = m.status === 'dead';
    replace(into,
      section('Message',
        h('dl', {class: 'summary'},
          h('dt', {}, 'Receipt'), h('dd', {id: 'message-receipt', class: 'mono'}, m.receiptId),
          h('dt', {}, 'Status'), h('dd', {}, statusBadge(m.status)),
          h('dt', {}, 'Partner / event'), h('dd', {}, h('span', {id: 'message-partner'}, m.partner), ' / ', h('span', {id: 'message-event'}, m.event)),
          h('dt', {}, 'Attempts'), h('dd', {id: 'message-attempts'}, String(m.attempts), m.replays ? ` (replayed ${m.replays}×)` : ''),
          h('dt', {}, 'Received'), h('dd', {}, when(m.receivedAt)),
          h('dt', {}, 'Dead at'), h('dd', {}, when(m.deadAt)),
          h('dt', {}, 'Correlation id'), h('dd', {class: 'mono'}, m.correlationId || '—'),
          h('dt', {}, 'Last error'), h('dd', {id: 'last-error', class: 'error-text'}, m.lastError || '—')),
        dead ? h('div', {class: 'actions'}, replay, h('div', {class: 'discard'}, reason, discard), readOnlyNote())
          : h('p', {class: 'meta'}, m.status === 'delivered' || m.status === 'discarded' ? 'Settled: nothing to do.' : 'In flight: this page follows it until it settles.')),
      section('Attempt history', timeline(m.attemptHistory || [])),
      section('Payload', h('pre', {id: 'payload', class: 'payload'}, pretty(m.payload))),
      section('Headers (as stored; secrets redacted)', table([
        {title: 'Header', cell: r => h('span', {class: 'mono'}, r[0])},
        {title: 'Value', cell: r => h('span', {class: 'mono header-value'}, r[1])}],
        Object.entries(m.headers || {}), null, 'No headers stored.')),
      section('Ops actions on this message', table([
        {title: 'At', cell: a => when(a.at)}, {title: 'Actor', cell: a => a.actor}, {title: 'Action', cell: a => a.action},
        {title: 'Reason', cell: a => a.reason || '—'}], trail, null, 'None yet.')));
    into.querySelector('section:last-child table') && into.querySelector('section:last-child table').setAttribute('id', 'message-audit');
  };

  await load();
  return stop;
}
