// Dead letters: filters, search by receipt id, cursor paging, bulk replay (dry-run count first), and the detail.
import {api, query} from '../api.js';
import {h, replace, table, when} from '../dom.js';
import {actionButton, readOnlyNote, section, field, notice, showError, receiptLink} from '../ui.js';
import {showMessage} from './message.js';

const FILTERS = ['partner', 'event', 'deadAfter', 'deadBefore', 'error'];
const LIMITS = ['25', '50', '100', '200'];

/** <input type=datetime-local> speaks local time without a zone; the API wants an instant. */
function toInstant(local) {
  if (!local) return '';
  const d = new Date(local);
  return isNaN(d) ? '' : d.toISOString();
}

function toLocal(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return '';
  const pad = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export async function render(view, {param, params, stale}) {
  if (param) {
    replace(view, h('p', {}, h('a', {href: '#/dead-letters'}, '← Dead letters')));
    const into = h('div', {id: 'message'});
    view.appendChild(into);
    return showMessage(into, param, {stale});
  }
  return list(view, params, stale);
}

async function list(view, params, stale) {
  const filters = Object.fromEntries(FILTERS.map(f => [f, params.get(f) || '']));
  const limit = LIMITS.includes(params.get('limit')) ? params.get('limit') : '50';
  const partners = await api('/ops/partners');
  if (stale()) return;

  const partner = h('select', {id: 'filter-partner', name: 'partner'}, h('option', {value: ''}, 'All partners'),
    partners.map(p => h('option', {value: p.partner, selected: p.partner === filters.partner}, p.partner)));
  const events = [...new Set(partners.filter(p => !filters.partner || p.partner === filters.partner).flatMap(p => Object.keys(p.events || {})))].sort();
  const eventSelect = h('select', {id: 'filter-event', name: 'event'}, h('option', {value: ''}, 'All events'),
    events.map(e => h('option', {value: e, selected: e === filters.event}, e)));
  const after = h('input', {id: 'filter-after', type: 'datetime-local', value: toLocal(filters.deadAfter)});
  const before = h('input', {id: 'filter-before', type: 'datetime-local', value: toLocal(filters.deadBefore)});
  const error = h('input', {id: 'filter-error', type: 'search', value: filters.error, placeholder: 'e.g. status=500'});
  const size = h('select', {id: 'filter-limit'}, LIMITS.map(l => h('option', {value: l, selected: l === limit}, l)));

  const apply = submitted => {
    submitted.preventDefault();
    location.hash = '#/dead-letters' + query({partner: partner.value, event: eventSelect.value, deadAfter: toInstant(after.value),
      deadBefore: toInstant(before.value), error: error.value.trim(), limit: size.value === '50' ? '' : size.value});
  };
  const form = h('form', {id: 'filters', class: 'filters', on: {submit: apply}},
    field('Partner', partner), field('Event', eventSelect), field('Dead after', after), field('Dead before', before),
    field('Last error contains', error), field('Per page', size), h('button', {type: 'submit', id: 'apply-filters'}, 'Apply'));

  const receipt = h('input', {id: 'search-receipt', type: 'search', placeholder: 'Receipt id', spellcheck: 'false'});
  const search = h('form', {id: 'search', class: 'filters', on: {submit: e => {
    e.preventDefault();
    const id = receipt.value.trim();
    if (id) location.hash = '#/dead-letters/' + encodeURIComponent(id);
  }}}, field('Find by receipt id', receipt), h('button', {type: 'submit', id: 'search-button'}, 'Open'));

  const bulkArea = h('div', {id: 'bulk', class: 'bulk'});
  const filterBody = () => ({partner: filters.partner || undefined, event: filters.event || undefined,
    deadAfter: filters.deadAfter || undefined, deadBefore: filters.deadBefore || undefined, error: filters.error || undefined});
  const bulk = actionButton('Replay all matching…', async () => {
    const dry = await api('/ops/dead-letters/replay', {method: 'POST', body: {...filterBody(), dryRun: true}});
    const confirm = actionButton(`Replay ${dry.matched}`, async () => {
      const done = await api('/ops/dead-letters/replay', {method: 'POST', body: {...filterBody(), dryRun: false}});
      replace(bulkArea, h('p', {id: 'bulk-result', class: 'ok-note'}, `Replayed ${done.replayed} of ${done.matched} matching dead letters.`));
      notice(`Bulk replay: ${done.replayed} of ${done.matched} back in the journal.`, 'ok');
      pages.length = 1;
      await showPage();
    }, {id: 'bulk-confirm', cls: 'action danger'});
    confirm.disabled = confirm.disabled || dry.matched === 0;
    replace(bulkArea,
      h('p', {id: 'bulk-count'}, `${dry.matched} dead letter${dry.matched === 1 ? '' : 's'} match${dry.matched === 1 ? 'es' : ''} these filters (a dry run: nothing replayed yet).`),
      confirm, h('button', {type: 'button', id: 'bulk-cancel', on: {click: () => replace(bulkArea)}}, 'Cancel'));
  }, {id: 'bulk-replay'});

  const results = h('div', {id: 'results'});
  // The cursors of the pages seen so far: page n is fetched with pages[n] (null for the first).
  const pages = [null];
  const showPage = async () => {
    const cursor = pages[pages.length - 1];
    const page = await api('/ops/dead-letters' + query({...filters, limit, cursor}));
    if (stale()) return;
    const prev = h('button', {type: 'button', id: 'page-prev', disabled: pages.length === 1,
      on: {click: () => { pages.pop(); showPage().catch(showError); }}}, '← Newer');
    const next = h('button', {type: 'button', id: 'page-next', disabled: !page.nextCursor,
      on: {click: () => { pages.push(page.nextCursor); showPage().catch(showError); }}}, 'Older →');
    replace(results,
      table([
        {title: 'Dead at', cell: d => when(d.deadAt)},
        {title: 'Receipt', cell: d => receiptLink(d.receiptId)},
        {title: 'Partner', cell: d => d.partner},
        {title: 'Event', cell: d => d.event},
        {title: 'Attempts', cell: d => String(d.attempts)},
        {title: 'Last error', className: () => 'error-text', cell: d => d.lastError || '—'},
      ], page.items, () => 'dead-letter', 'No dead letters match.'),
      h('div', {class: 'pager'}, prev, h('span', {class: 'meta'}, `Page ${pages.length} · ${page.items.length} shown`), next));
  };

  replace(view, section('Dead letters', search, form, h('div', {class: 'actions'}, bulk, readOnlyNote()), bulkArea, results));
  await showPage();
}
