// Receipts: a partner's complaint starts with a receipt id; look up any message, whatever its status.
import {h, replace} from '../dom.js';
import {section, field} from '../ui.js';
import {showMessage} from './message.js';

export async function render(view, {param, stale}) {
  const input = h('input', {id: 'receipt-id', type: 'search', placeholder: 'Receipt id', spellcheck: 'false', value: param || ''});
  const form = h('form', {id: 'receipt-form', class: 'filters', on: {submit: e => {
    e.preventDefault();
    const id = input.value.trim();
    if (id) location.hash = '#/receipts/' + encodeURIComponent(id);
  }}}, field('Receipt id', input), h('button', {type: 'submit', id: 'receipt-lookup'}, 'Look up'));
  const into = h('div', {id: 'message'});
  replace(view, section('Look up a receipt', h('p', {class: 'meta'},
    'Status, attempts and history of any message the hub still holds (delivered and discarded ones for the retention period).'), form), into);
  if (!param) return null;
  try {
    return await showMessage(into, param, {stale});
  } catch (e) {
    replace(into, h('p', {id: 'receipt-error', class: 'error'}, e.status === 404 ? `No message ${param}: unknown, or past its retention.` : e.explain ? e.explain() : e.message));
    return null;
  }
}
