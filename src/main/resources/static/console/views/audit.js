// Audit: every ops action (replay, discard, bulk replay, imports, reconciliations, sync-job control) with actor and reason.
import {api, query} from '../api.js';
import {h, replace, table, when} from '../dom.js';
import {section, field, receiptLink} from '../ui.js';

const ACTIONS = ['replay', 'discard', 'mapping-import', 'agent-status', 'reconcile', 'sync-run', 'sync-pause', 'sync-resume', 'sync-checkpoint'];
const LIMITS = ['50', '100', '200', '500'];

export async function render(view, {params, stale}) {
  const f = {receiptId: params.get('receiptId') || '', action: params.get('action') || '', partner: params.get('partner') || ''};
  const limit = LIMITS.includes(params.get('limit')) ? params.get('limit') : '100';
  const receipt = h('input', {id: 'audit-receipt', type: 'search', value: f.receiptId, spellcheck: 'false'});
  const action = h('select', {id: 'audit-action'}, h('option', {value: ''}, 'All actions'),
    ACTIONS.map(a => h('option', {value: a, selected: a === f.action}, a)));
  const partner = h('input', {id: 'audit-partner', type: 'search', value: f.partner, spellcheck: 'false'});
  const size = h('select', {id: 'audit-limit'}, LIMITS.map(l => h('option', {value: l, selected: l === limit}, l)));
  const form = h('form', {id: 'audit-filters', class: 'filters', on: {submit: e => {
    e.preventDefault();
    location.hash = '#/audit' + query({receiptId: receipt.value.trim(), action: action.value, partner: partner.value.trim(),
      limit: size.value === '100' ? '' : size.value});
  }}}, field('Receipt id', receipt), field('Action', action), field('Partner', partner), field('Newest', size),
    h('button', {type: 'submit'}, 'Apply'));

  const entries = await api('/ops/audit' + query({...f, limit}));
  if (stale()) return null;
  replace(view, section('Audit trail', form,
    h('p', {class: 'meta'}, `The newest ${entries.length} entries (at most ${limit}; narrow the filters to reach older ones).`),
    table([
      {title: 'At', cell: a => when(a.at)},
      {title: 'Actor', cell: a => a.actor},
      {title: 'Action', cell: a => a.action},
      {title: 'Partner', cell: a => a.partner || '—'},
      {title: 'Receipt', cell: a => a.receiptId ? receiptLink(a.receiptId) : '—'},
      {title: 'Reason', cell: a => a.reason || '—'},
    ], entries, () => 'audit-row', 'No ops actions match.')));
  return null;
}
