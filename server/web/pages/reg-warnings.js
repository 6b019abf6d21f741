// 风险预警 for regulators: the region's warnings with filters (kind, severity, state,
// enterprise, keyword) and pages, each with the records it rests on; acknowledging, an .xlsx
// export of the list as filtered, and a recomputation on demand.
import { api, get, query } from '../api.js';
import { lang, t } from '../i18n.js';
import { badge, busy, button, closeDrawer, drawer, h, listView, mount, pageHeader, showError, toast, when } from '../ui.js';

/** The warning kinds, in the order the rules run. */
export const WARNING_KINDS = ['expired_stock_held', 'near_expiry_stock', 'sold_after_expiry', 'recalled_batch_held',
  'nonconforming_batch_held', 'recalled_batch_sold', 'nonconforming_batch_sold', 'unreconciled_transfer', 'quantity_mismatch',
  'transfer_disputed', 'negative_stock', 'counterparty_licence_expired', 'supplier_agreement_expired', 'unregistered_supplier',
  'invalid_registration', 'opening_balance_anomaly'];
const SEVERITIES = ['high', 'medium', 'low'];
const STATES = ['new', 'acknowledged', 'resolved'];

/** A severity as a badge. */
export function severityBadge(s) {
  return badge(t(`warn.severity.${s}`), { high: 'danger', medium: 'warn', low: 'muted' }[s]);
}

function stateBadge(s) {
  return badge(t(`warn.state.${s}`), { new: 'danger', acknowledged: 'warn', resolved: 'ok' }[s]);
}

function message(w) {
  return lang() === 'en' ? w.message_en : w.message_zh;
}

/** The records a warning rests on, as facts and a table of documents. */
function evidence(row) {
  const w = row.warning;
  const e = w.evidence || {};
  const docs = e.documents || [];
  return h('div', {},
    h('p', {}, message(w)),
    h('dl', { class: 'facts' },
      h('dt', {}, t('warn.kind')), h('dd', {}, t(`warn.kind.${w.kind}`)),
      h('dt', {}, t('warn.severity')), h('dd', {}, severityBadge(w.severity)),
      h('dt', {}, t('common.status')), h('dd', {}, stateBadge(row.state)),
      h('dt', {}, t('warn.enterprise')), h('dd', {}, row.enterprise_name),
      h('dt', {}, t('line.batch')), h('dd', {}, w.batch || '—'),
      h('dt', {}, t('warn.quantity')), h('dd', {}, e.quantity ?? '—'),
      h('dt', {}, t('warn.date')), h('dd', {}, e.date || '—'),
      h('dt', {}, t('warn.raised_on')), h('dd', {}, row.raised_on),
      h('dt', {}, t('warn.acknowledged_at')), h('dd', {}, row.acknowledged_at ? when(row.acknowledged_at) : '—'),
      h('dt', {}, t('warn.resolved_at')), h('dd', {}, row.resolved_at ? when(row.resolved_at) : '—')),
    h('h3', {}, t('warn.documents', { n: docs.length })),
    docs.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['document.number', 'document.kind', 'document.date', 'line.quantity'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, docs.map((d) => h('tr', {},
        h('td', { dataset: { label: t('document.number') } }, d.number),
        h('td', { dataset: { label: t('document.kind') } }, t(`kind.${d.kind}`)),
        h('td', { dataset: { label: t('document.date') } }, d.date),
        h('td', { dataset: { label: t('line.quantity') } }, d.quantity)))))) : h('p', { class: 'muted' }, t('warn.no_documents')));
}

async function acknowledge(row, reload) {
  try {
    await api('POST', `/api/v1/regulator/warnings/${row.id}/acknowledge`, {});
    toast(t('warn.acknowledged_ok'));
    reload();
    return true;
  } catch (err) {
    showError(err);
    return false;
  }
}

async function detail(id, reload) {
  let row;
  try {
    row = await get(`/api/v1/regulator/warnings/${id}`);
  } catch (err) {
    showError(err);
    return;
  }
  const ack = row.state === 'new' ? button(t('warn.acknowledge'), () => busy(ack, async () => {
    if (await acknowledge(row, reload)) detail(id, reload);
  }), 'primary') : null;
  drawer(`${t('warn.detail')} · ${t(`warn.kind.${row.warning.kind}`)}`, evidence(row), [ack, button(t('common.close'), closeDrawer)].filter(Boolean));
}

/** The list's filters as the API reads them: "open" is not a state but new and acknowledged
 *  together, as the dashboard counts them. */
function apiParams(p) {
  return p.state === 'open' ? { ...p, state: undefined, open: true } : p;
}

/** The region's enterprises as options [id, name]. */
export async function regionEnterprises() {
  const page = await get('/api/v1/regulator/enterprises', { per_page: 500 });
  return page.items.map((r) => [r.enterprise.id, r.enterprise.name]);
}

/** The regulator's warnings page; `params.state` presets the state filter (`open` for new and
 *  acknowledged ones). */
export async function render(root, { params }) {
  let enterprises = [];
  try {
    enterprises = await regionEnterprises();
  } catch (err) {
    showError(err);
  }
  const recompute = button(t('warn.recompute'), () => busy(recompute, async () => {
    try {
      const r = await api('POST', '/api/v1/regulator/warnings/recompute', {});
      toast(t('warn.recomputed', r));
      list.reload();
    } catch (err) {
      showError(err);
    }
  }));
  const list = listView({
    load: (p) => get('/api/v1/regulator/warnings', apiParams(p)),
    filters: [
      { name: 'kind', label: 'warn.kind', type: 'select', options: WARNING_KINDS.map((k) => [k, `warn.kind.${k}`]), blankLabel: t('common.all') },
      { name: 'severity', label: 'warn.severity', type: 'select', options: SEVERITIES.map((s) => [s, `warn.severity.${s}`]), blankLabel: t('common.all') },
      { name: 'state', label: 'common.status', type: 'select', options: ['open', ...STATES].map((s) => [s, `warn.state.${s}`]), blankLabel: t('common.all'), value: params.state },
      { name: 'enterprise_id', label: 'warn.enterprise', type: 'select', options: enterprises, raw: true, blankLabel: t('common.all') },
    ],
    columns: [
      { label: 'warn.raised_on', value: (r) => r.raised_on },
      { label: 'warn.severity', value: (r) => severityBadge(r.warning.severity) },
      { label: 'warn.kind', value: (r) => t(`warn.kind.${r.warning.kind}`) },
      { label: 'warn.enterprise', value: (r) => r.enterprise_name },
      { label: 'line.batch', value: (r) => r.warning.batch || '—' },
      { label: 'warn.message', value: (r) => message(r.warning) },
      { label: 'common.status', value: (r) => stateBadge(r.state) },
    ],
    actions: [
      button(t('common.export'), () => { location.href = `/api/v1/regulator/warnings.xlsx${query(apiParams(list.params()))}`; }),
      recompute,
    ],
    rowActions: (r) => [
      button(t('common.view'), () => detail(r.id, () => list.reload()), 'link'),
      r.state === 'new' ? button(t('warn.acknowledge'), () => acknowledge(r, () => list.reload()), 'link') : null,
    ].filter(Boolean),
    empty: 'warn.empty',
  });
  mount(root, pageHeader('menu.warnings', h('p', { class: 'muted' }, t('warn.intro'))), list.el);
}
