// Pieces every view shares: the notice line, action buttons that know the key's role, and error display.
import {h, replace} from './dom.js';
import {session, ApiError} from './api.js';

export const READ_ONLY = 'Your key has the read role: actions need admin.';

export function notice(message, level = 'info') {
  const el = document.getElementById('notice');
  el.className = 'notice ' + level;
  replace(el, message);
  el.hidden = !message;
}

export function failure(e) {
  return e instanceof ApiError ? e.explain() : 'The hub did not answer: ' + e.message;
}

/** Shows the error in the notice line and returns it as an element for the view, if it wants one. */
export function showError(e) {
  const message = failure(e);
  notice(message, 'error');
  return h('p', {class: 'error'}, message);
}

/**
 * A button for an admin action. For a read key it is disabled, with the reason next to it; should an action run
 * anyway, the API's 403 is shown as the reason.
 */
export function actionButton(label, run, {id, cls} = {}) {
  const button = h('button', {type: 'button', id, class: cls || 'action', disabled: !session.admin,
    title: session.admin ? null : READ_ONLY});
  button.textContent = label;
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    button.disabled = true;
    try {
      await run();
    } catch (e) {
      showError(e);
    } finally {
      button.disabled = !session.admin;
    }
  });
  return button;
}

/** The note a read key sees wherever actions are offered. */
export function readOnlyNote() {
  return session.admin ? null : h('p', {class: 'read-only'}, READ_ONLY);
}

export function section(title, ...children) {
  return h('section', {class: 'card'}, h('h2', {}, title), ...children);
}

export function field(label, input) {
  return h('label', {class: 'field'}, h('span', {}, label), input);
}

export function pre(text, attrs = {}) {
  return h('pre', attrs, text);
}

export function link(href, text, attrs = {}) {
  return h('a', {...attrs, href}, text);
}

export function receiptLink(receiptId) {
  return link('#/dead-letters/' + encodeURIComponent(receiptId), receiptId, {class: 'mono'});
}
