// The console's shell: sign-in, hash routing, and the views. Data only from /ops with the key in X-API-Key.
import {api, session, whenUnauthorized, ApiError} from './api.js';
import {h, replace} from './dom.js';
import {notice, failure} from './ui.js';
import * as overview from './views/overview.js';
import * as deadLetters from './views/dead-letters.js';
import * as receipts from './views/receipts.js';
import * as agents from './views/agents.js';
import * as audit from './views/audit.js';

const views = {
  'overview': overview,
  'dead-letters': deadLetters,
  'receipts': receipts,
  'agents': agents,
  'audit': audit,
};

const $ = id => document.getElementById(id);
let cleanup = null;
let generation = 0;

/** '#/dead-letters/abc?partner=x' -> {name: 'dead-letters', param: 'abc', params: URLSearchParams}. */
function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, search] = hash.split('?', 2);
  const [name, ...rest] = path.split('/');
  return {name: views[name] ? name : 'overview', param: rest.length ? decodeURIComponent(rest.join('/')) : null,
    params: new URLSearchParams(search || '')};
}

async function show() {
  if (cleanup) { cleanup(); cleanup = null; }
  const mine = ++generation;
  if (!session.identity) return;
  const r = route();
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('current', a.dataset.view === r.name);
  notice('');
  const view = replace($('view'), h('p', {class: 'loading'}, 'Loading…'));
  const stale = () => mine !== generation;
  try {
    cleanup = await views[r.name].render(view, {...r, stale}) || null;
    if (stale() && cleanup) { cleanup(); cleanup = null; }
  } catch (e) {
    if (!stale()) replace(view, h('p', {class: 'error'}, failure(e)));
  }
}

function signedOut(message) {
  session.signOut();
  session.identity = null;
  if (cleanup) { cleanup(); cleanup = null; }
  generation++;
  replace($('view'));
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  replace($('who'));
  $('sign-in').hidden = false;
  $('ops-key').value = '';
  const error = $('sign-in-error');
  error.hidden = !message;
  replace(error, message || '');
  notice('');
}

async function signedIn() {
  try {
    session.identity = await api('/ops/whoami');
  } catch (e) {
    const why = e instanceof ApiError && e.status === 401 ? 'That key is not a valid ops key.'
      : e instanceof ApiError && e.status === 403 ? 'That is not an ops key (partner and agent keys cannot use the console).'
      : failure(e);
    signedOut(why);
    return;
  }
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  const role = session.identity.role;
  replace($('who'), 'Key ', h('strong', {id: 'who-id'}, session.identity.id), ' · role ',
    h('strong', {id: 'who-role', class: role === 'admin' ? 'role-admin' : 'role-read'}, role));
  await show();
}

whenUnauthorized(() => signedOut('The hub no longer accepts this key (401). Sign in again.'));

$('sign-in-form').addEventListener('submit', event => {
  event.preventDefault();
  const key = $('ops-key').value.trim();
  if (!key) return;
  session.signIn(key);
  $('ops-key').value = '';
  signedIn();
});
$('sign-out').addEventListener('click', () => signedOut(''));
window.addEventListener('hashchange', show);

if (session.key()) signedIn(); else signedOut('');
