// Overview: what is wrong first. Partners, vendors' agents and sync jobs, each ranked by severity, worst on top.
import {api} from '../api.js';
import {h, replace, table, age, since, when, badge} from '../dom.js';
import {section, showError, link} from '../ui.js';

const REFRESH_MS = 15000;
const BAD = 2, WARN = 1, OK = 0;
const LEVEL = ['ok', 'warn', 'bad'];
// Counts between two refreshes give traffic per minute; kept across visits to the view.
let previous = null;

/** A partner's problems, worst first: [{level, text}]. */
function partnerProblems(p) {
  const problems = [];
  const c = p.counts || {};
  for (const t of p.targets || []) {
    if (t.breaker === 'OPEN' || t.breaker === 'FORCED_OPEN') problems.push({level: BAD, text: `breaker ${t.name} ${t.breaker}` + (t.parked ? `, ${t.parked} parked` : '')});
    else if (t.breaker === 'HALF_OPEN') problems.push({level: WARN, text: `breaker ${t.name} half-open`});
  }
  if (c.dead) problems.push({level: BAD, text: `${c.dead} dead letter${c.dead === 1 ? '' : 's'}`});
  if (p.oldestPendingAgeSeconds !== null && p.oldestPendingAgeSeconds > 300) problems.push({level: BAD, text: `oldest pending ${age(p.oldestPendingAgeSeconds)}`});
  else if (p.oldestPendingAgeSeconds !== null && p.oldestPendingAgeSeconds > 60) problems.push({level: WARN, text: `oldest pending ${age(p.oldestPendingAgeSeconds)}`});
  if (c.retrying) problems.push({level: WARN, text: `${c.retrying} retrying`});
  return problems.sort((a, b) => b.level - a.level);
}

function agentProblems(a) {
  if (a.status === 'offline') return [{level: BAD, text: `agent offline, last heartbeat ${age(since(a.lastHeartbeatAt))} ago` + (a.pendingOrders ? `, ${a.pendingOrders} orders held` : '')}];
  if (a.status === 'degraded') return [{level: WARN, text: `agent degraded, last heartbeat ${age(since(a.lastHeartbeatAt))} ago`}];
  if (a.status === 'never-seen') return [{level: WARN, text: 'agent never registered'}];
  return [];
}

/** 'every PT30S' -> 30; other schedules (cron, continuous) have no simple interval. */
function intervalSeconds(schedule) {
  const m = /^every P(?:T)?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(schedule || '');
  return m ? (+m[1] || 0) * 3600 + (+m[2] || 0) * 60 + (+m[3] || 0) : null;
}

export function syncLag(j) {
  return j.lastSuccessAt ? since(j.lastSuccessAt) : null;
}

function jobProblems(j) {
  const problems = [];
  if (j.state === 'failing') problems.push({level: BAD, text: `sync job ${j.job} failing: ${short((j.lastRun && j.lastRun.error) || 'see its last run')}`});
  if (j.state === 'paused') problems.push({level: WARN, text: `sync job ${j.job} paused`});
  const every = intervalSeconds(j.schedule);
  const lag = syncLag(j);
  if (every && lag !== null && lag > Math.max(300, every * 5)) problems.push({level: WARN, text: `sync job ${j.job} lagging: last success ${age(lag)} ago`});
  if (j.lastRun && j.lastRun.outcome === 'backpressure') problems.push({level: WARN, text: `sync job ${j.job} held back by backpressure`});
  return problems;
}

/** A target's error page can be long; the overview shows its start, the job's row on the Agents page the rest. */
function short(text, max = 140) {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

const worst = problems => problems.reduce((m, p) => Math.max(m, p.level), OK);

function rate(p, status, elapsedMin) {
  if (!previous || !previous.counts[p.partner] || !elapsedMin) return null;
  const was = previous.counts[p.partner][status] || 0;
  const now = (p.counts || {})[status] || 0;
  return Math.max(0, now - was) / elapsedMin;
}

function perMinute(value) {
  return value === null ? '—' : (value < 10 ? value.toFixed(1) : Math.round(value)) + '/min';
}

/** The hub itself (journal, database) from the ops health group: a DOWN answers 503, which is news, not an error. */
async function hubHealth() {
  try {
    await api('/actuator/health/ops');
    return [];
  } catch (e) {
    if (e.status !== 503 || !e.problem) return [{level: BAD, text: 'hub health unknown: ' + e.message}];
    const down = Object.entries(e.problem.components || {}).filter(([, c]) => c.status !== 'UP').map(([name]) => name);
    return [{level: BAD, text: 'hub DOWN' + (down.length ? ': ' + down.join(', ') : '')}];
  }
}

export async function render(view, {stale}) {
  const load = async () => {
    const [partners, agents, jobs, health] = await Promise.all([api('/ops/partners'), api('/ops/agents'), api('/ops/sync-jobs'),
      hubHealth()]);
    if (stale()) return;
    const now = Date.now();
    const elapsedMin = previous ? (now - previous.at) / 60000 : null;

    const agentsByVendor = Object.fromEntries(agents.map(a => [a.vendor, a]));
    const jobsByPartner = {};
    for (const j of jobs) (jobsByPartner[j.partner] = jobsByPartner[j.partner] || []).push(j);

    const rows = partners.map(p => {
      const agent = agentsByVendor[p.partner];
      const problems = [...partnerProblems(p), ...(agent ? agentProblems(agent) : []),
        ...(jobsByPartner[p.partner] || []).flatMap(jobProblems)].sort((a, b) => b.level - a.level);
      const c = p.counts || {};
      const settled = (c.delivered || 0) + (c.dead || 0) + (c.discarded || 0);
      return {p, agent, jobs: jobsByPartner[p.partner] || [], problems, level: worst(problems),
        failure: settled ? ((c.dead || 0) + (c.discarded || 0)) / settled : null,
        delivered: rate(p, 'delivered', elapsedMin), dead: rate(p, 'dead', elapsedMin)};
    }).sort((a, b) => b.level - a.level || (b.p.counts.dead || 0) - (a.p.counts.dead || 0) || a.p.partner.localeCompare(b.p.partner));
    previous = {at: now, counts: Object.fromEntries(partners.map(p => [p.partner, {...(p.counts || {})}]))};

    const attention = [...health, ...rows.flatMap(r => r.problems.map(pr => ({partner: r.p.partner, ...pr})))].sort((a, b) => b.level - a.level);

    replace(view,
      h('p', {class: 'meta'}, `Updated ${when(new Date(now).toISOString())}; refreshes every ${REFRESH_MS / 1000} s. Rates are since the previous refresh.`),
      section('Needs attention',
        attention.length
          ? h('ul', {id: 'attention', class: 'attention'}, attention.map(a => h('li', {class: LEVEL[a.level]},
              a.partner ? [link('#/dead-letters?partner=' + encodeURIComponent(a.partner), a.partner), ': '] : null, a.text)))
          : h('p', {id: 'attention', class: 'ok-note'}, 'Nothing is wrong: no dead letters, no open breakers, no offline agents, no failing sync jobs.')),
      section('Partners and vendors', table([
        {title: 'Partner', cell: r => h('span', {}, link('#/dead-letters?partner=' + encodeURIComponent(r.p.partner), r.p.partner),
          r.p.displayName && r.p.displayName !== r.p.partner ? h('span', {class: 'sub'}, r.p.displayName) : null)},
        {title: 'Health', cell: r => badge(r.level === BAD ? 'failing' : r.level === WARN ? 'attention' : 'ok', LEVEL[r.level])},
        {title: 'Delivered', cell: r => [String(r.p.counts.delivered || 0), h('span', {class: 'sub'}, perMinute(r.delivered))]},
        {title: 'Dead', className: r => r.p.counts.dead ? 'bad' : null,
          cell: r => [link('#/dead-letters?partner=' + encodeURIComponent(r.p.partner), String(r.p.counts.dead || 0)), h('span', {class: 'sub'}, perMinute(r.dead))]},
        {title: 'Failure rate', cell: r => r.failure === null ? '—' : (r.failure * 100).toFixed(1) + '%'},
        {title: 'Backlog', cell: r => String((r.p.counts.accepted || 0) + (r.p.counts.retrying || 0) + (r.p.counts['awaiting-callback'] || 0))},
        {title: 'Oldest pending', cell: r => age(r.p.oldestPendingAgeSeconds)},
        {title: 'Breakers', cell: r => (r.p.targets || []).length
          ? (r.p.targets || []).map(t => badge(`${t.name} ${t.breaker}${t.parked ? ' · ' + t.parked + ' parked' : ''}`,
              t.breaker === 'CLOSED' ? 'ok' : t.breaker === 'HALF_OPEN' ? 'warn' : 'bad'))
          : '—'},
        {title: 'Agent', cell: r => r.agent ? badge(r.agent.status, r.agent.status === 'online' ? 'ok' : r.agent.status === 'offline' ? 'bad' : 'warn') : '—'},
        {title: 'Sync jobs', cell: r => r.jobs.length
          ? r.jobs.map(j => badge(`${j.job} ${j.state}${syncLag(j) !== null ? ' · ' + age(syncLag(j)) : ''}`,
              j.state === 'failing' ? 'bad' : j.state === 'paused' ? 'warn' : 'ok'))
          : '—'},
        {title: 'Problems', cell: r => r.problems.map(pr => h('div', {class: LEVEL[pr.level]}, pr.text))},
      ], rows, r => 'partner-row ' + LEVEL[r.level], 'No partners are configured.')));
    view.querySelector('table') && view.querySelector('table').setAttribute('id', 'partners');
  };
  try {
    await load();
  } catch (e) {
    replace(view, showError(e));
  }
  const timer = setInterval(() => load().catch(showError), REFRESH_MS);
  return () => clearInterval(timer);
}
