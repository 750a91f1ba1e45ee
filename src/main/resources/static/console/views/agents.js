// ERP agents (status, heartbeat, pending orders, reconciliation runs) and sync jobs (state, checkpoint, runs, control).
import {api, query} from '../api.js';
import {h, replace, table, when, age, since, badge} from '../dom.js';
import {actionButton, readOnlyNote, section, notice, showError} from '../ui.js';
import {syncLag} from './overview.js';

const RUNS = 10;
const SEVERITY = {offline: 0, failing: 0, degraded: 1, 'never-seen': 1, paused: 1, running: 2, online: 3, idle: 3};

function statusBadge(status) {
  const level = ['online', 'idle', 'running'].includes(status) ? 'ok' : ['offline', 'failing'].includes(status) ? 'bad' : 'warn';
  return badge(status, level);
}

function details(label, load) {
  const box = h('div', {class: 'runs'});
  const el = h('details', {}, h('summary', {}, label), box);
  el.addEventListener('toggle', () => {
    if (el.open) load().then(node => replace(box, node)).catch(e => replace(box, showError(e)));
  });
  return el;
}

function reconciliations(vendor) {
  return details('Reconciliation runs', async () => table([
    {title: 'Started', cell: r => when(r.startedAt)}, {title: 'Finished', cell: r => when(r.finishedAt)},
    {title: 'Kind', cell: r => r.kind}, {title: 'Drifted', cell: r => String(r.drifted)},
    {title: 'Repaired', cell: r => String(r.repaired)}, {title: 'Deleted', cell: r => String(r.deleted)},
    {title: 'Error', className: r => r.error ? 'error-text' : null, cell: r => r.error || '—'},
  ], await api(`/ops/erp/${encodeURIComponent(vendor)}/reconciliations` + query({limit: RUNS * 3})), null, 'No runs yet.'));
}

function syncRuns(j) {
  return details('Last runs', async () => table([
    {title: 'Started', cell: r => when(r.startedAt)}, {title: 'Finished', cell: r => when(r.finishedAt)},
    {title: 'Cause', cell: r => r.cause}, {title: 'Outcome', cell: r => statusBadge(r.outcome === 'completed' ? 'idle' : r.outcome === 'failed' ? 'failing' : r.outcome)},
    {title: 'Pages', cell: r => String(r.pages)}, {title: 'Records', cell: r => String(r.records)},
    {title: 'Journaled', cell: r => String(r.journaled)},
    {title: 'Error', className: r => r.error ? 'error-text' : null, cell: r => r.error || '—'},
  ], await api(`/ops/sync-jobs/${encodeURIComponent(j.partner)}/${encodeURIComponent(j.job)}/runs` + query({limit: RUNS})), null, 'No runs yet.'));
}

export async function render(view, {stale}) {
  const load = async () => {
    const [agents, jobs] = await Promise.all([api('/ops/agents'), api('/ops/sync-jobs')]);
    if (stale()) return;
    agents.sort((a, b) => SEVERITY[a.status] - SEVERITY[b.status] || a.vendor.localeCompare(b.vendor));
    jobs.sort((a, b) => SEVERITY[a.state] - SEVERITY[b.state] || (a.partner + a.job).localeCompare(b.partner + b.job));
    const jobAction = (j, verb, label) => actionButton(label, async () => {
      await api(`/ops/sync-jobs/${encodeURIComponent(j.partner)}/${encodeURIComponent(j.job)}/${verb}`, {method: 'POST'});
      notice(`${label}: ${j.partner}/${j.job}.`, 'ok');
      await load();
    }, {id: `${verb}-${j.partner}-${j.job}`});

    replace(view,
      readOnlyNote(),
      section('ERP agents', table([
        {title: 'Vendor', cell: a => a.vendor},
        {title: 'Status', cell: a => statusBadge(a.status)},
        {title: 'Last heartbeat', cell: a => a.lastHeartbeatAt ? [when(a.lastHeartbeatAt), h('span', {class: 'sub'}, age(since(a.lastHeartbeatAt)) + ' ago')] : 'never'},
        {title: 'Orders held by the hub', cell: a => String(a.pendingOrders)},
        {title: 'Pending at the agent', cell: a => a.agentPendingOrders === null ? '—' : String(a.agentPendingOrders)},
        {title: 'Agent', cell: a => [a.erpType || '—', a.version ? ' ' + a.version : '']},
        {title: 'Reconciliation', cell: a => [actionButton('Reconcile now', async () => {
          const run = await api(`/ops/erp/${encodeURIComponent(a.vendor)}/reconcile`, {method: 'POST'});
          notice(`Reconciliation of ${a.vendor} started (run ${run.runId}).`, 'ok');
        }, {id: 'reconcile-' + a.vendor}), reconciliations(a.vendor)]},
      ], agents, a => 'agent-row ' + a.status, 'No vendor has an agent section.')),
      section('Sync jobs', table([
        {title: 'Job', cell: j => `${j.partner}/${j.job}`},
        {title: 'Source', cell: j => j.source},
        {title: 'State', cell: j => statusBadge(j.state)},
        {title: 'Schedule', cell: j => j.schedule},
        {title: 'Checkpoint', cell: j => h('span', {class: 'mono'}, j.checkpoint && (j.checkpoint.cursor || j.checkpoint.id)
          ? `${j.checkpoint.cursor || '∅'} / ${j.checkpoint.id || '∅'}` : 'start')},
        {title: 'Last success (lag)', cell: j => j.lastSuccessAt ? [when(j.lastSuccessAt), h('span', {class: 'sub'}, age(syncLag(j)) + ' ago')] : 'never'},
        {title: 'Last run', cell: j => j.lastRun ? [`${j.lastRun.outcome}: ${j.lastRun.records} records, ${j.lastRun.journaled} journaled`,
          j.lastRun.error ? h('div', {class: 'error-text'}, j.lastRun.error) : null] : '—'},
        {title: 'Next run', cell: j => when(j.nextRunAt)},
        {title: 'Control', cell: j => [
          j.source === 'kafka' ? null : jobAction(j, 'run', 'Run now'),
          j.state === 'paused' ? jobAction(j, 'resume', 'Resume') : jobAction(j, 'pause', 'Pause'),
          syncRuns(j)]},
      ], jobs, j => 'job-row ' + j.state, 'No sync jobs are configured.')));
  };
  await load();
  return null;
}
