// The Ops API, with the key from this tab's sessionStorage in X-API-Key (never in a URL, never in a cookie).

const KEY = 'junction.opsKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: key => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
  identity: null,
  get admin() { return this.identity && this.identity.role === 'admin'; },
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** What the operator reads: a 403 on an action says the key's role, the rest the API's own detail. */
  explain() {
    if (this.status === 403) return 'Refused (403): ' + this.message + (session.admin ? '' : ' — your key has the read role: actions need admin.');
    if (this.status === 429) return 'The hub is rate limiting this console (429); try again in a moment.';
    return `${this.problem && this.problem.title ? this.problem.title : 'Error'} (${this.status}): ${this.message}`;
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(fn) { onUnauthorized = fn; }

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** One call; a 429 waits its Retry-After (at most 10 s) and tries once more. */
export async function api(path, {method = 'GET', body} = {}) {
  for (let attempt = 1; ; attempt++) {
    const headers = {'X-API-Key': session.key() || '', 'Accept': 'application/json'};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store', redirect: 'error'});
    if (res.status === 429 && attempt === 1) {
      const wait = Math.min(10, Math.max(1, parseInt(res.headers.get('Retry-After') || '1', 10) || 1));
      await sleep(wait * 1000);
      continue;
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
    if (res.status === 401) {
      onUnauthorized(json);
      throw new ApiError(401, json);
    }
    if (!res.ok) throw new ApiError(res.status, json);
    return json;
  }
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
