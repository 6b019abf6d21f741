// 召回管理 for regulators: start a recall (product, batches, level, reason), see at once every
// enterprise holding the batches with quantities, follow the progress, activate and close.
import { api, get } from '../api.js';
import { t } from '../i18n.js';
import {
  badge, busy, button, closeDrawer, drawer, errorSummary, field, h, listView, mount, pageHeader,
  readForm, showError, showErrors, toast, when,
} from '../ui.js';
import { stackBar } from '../svg.js';
import { librarySearch, namedProducts } from './barcodes.js';
import { batchesOf, recallStatus } from './recalls.js';

const LEVELS = ['one', 'two', 'three'];
const BASE = '/api/v1/regulator/recalls';

/** The holders of a recall with their quantities and acknowledgement. */
export function holdersTable(holders) {
  return h('table', { class: 'list holders' },
    h('caption', {}, t('recall.holders', { n: holders.length })),
    h('thead', {}, h('tr', {}, ['trace.holder', 'trace.region', 'recall.received', 'recall.held', 'recall.in_transit', 'recall.acknowledged', 'recall.returned', 'recall.destroyed'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, holders.map((x) => h('tr', {},
      h('td', { dataset: { label: t('trace.holder') } }, x.enterprise_name),
      h('td', { dataset: { label: t('trace.region') } }, x.region_code),
      h('td', { dataset: { label: t('recall.received') } }, x.quantity_received),
      h('td', { dataset: { label: t('recall.held') } }, x.quantity_held),
      h('td', { dataset: { label: t('recall.in_transit') } }, x.quantity_in_transit),
      h('td', { dataset: { label: t('recall.acknowledged') } }, x.acknowledged_at ? when(x.acknowledged_at) : badge(t('recall.not_acknowledged'), 'warn')),
      h('td', { dataset: { label: t('recall.returned') } }, x.quantity_returned),
      h('td', { dataset: { label: t('recall.destroyed') } }, x.quantity_destroyed)))));
}

function progress(summary) {
  if (!summary) return null;
  const left = Math.max(0, summary.quantity_held - summary.quantity_recovered);
  return h('div', { class: 'recall-progress' },
    h('p', {}, t('recall.progress_line', {
      holders: summary.holders, acknowledged: summary.acknowledged,
      share: summary.recovered_share === null || summary.recovered_share === undefined ? '—' : `${Math.round(summary.recovered_share * 1000) / 10}%`,
    })),
    stackBar([
      { label: t('recall.returned'), value: summary.quantity_returned, kind: 'ok' },
      { label: t('recall.destroyed'), value: summary.quantity_destroyed, kind: 'info' },
      { label: t('recall.outstanding'), value: left, kind: 'warn' },
    ], t('recall.progress')));
}

/** The detail drawer of a recall under `base` (the regulator's or the initiating enterprise's routes). */
export async function detail(base, id, reload) {
  let view;
  try {
    view = await get(`${base}/${id}`);
  } catch (err) {
    showError(err);
    return;
  }
  const r = view.recall;
  const step = (action) => async () => {
    try {
      await api('POST', `${base}/${id}/${action}`, {});
      toast(t('common.saved'));
      reload();
      detail(base, id, reload);
    } catch (err) {
      showError(err);
    }
  };
  const body = h('div', { class: 'recall-detail' },
    h('dl', { class: 'facts' },
      h('dt', {}, t('recall.product')), h('dd', {}, r.product_name),
      h('dt', {}, t('recall.batches')), h('dd', {}, batchesOf(r)),
      h('dt', {}, t('recall.level')), h('dd', {}, t(`recall.level.${r.level}`)),
      h('dt', {}, t('recall.reason')), h('dd', {}, r.reason),
      h('dt', {}, t('common.status')), h('dd', {}, recallStatus(r.status))),
    progress(view.summary),
    holdersTable(view.holders || []));
  const actions = [button(t('common.close'), closeDrawer)];
  if (r.status === 'planned') actions.push(button(t('recall.activate'), step('activate'), 'primary'));
  if (r.status === 'active') actions.push(button(t('recall.close'), step('close')));
  drawer(`${t('recall.detail')} · ${r.product_name}`, body, actions);
}

/** The drawer starting a recall through `base`: a regulator's of any product of its region
 *  (`owner=all`), an enterprise's of its own products (`owner=me`). */
export async function create(base, owner, params, reload) {
  let options = [];
  try {
    options = await namedProducts(owner);
  } catch (err) {
    showError(err);
    return;
  }
  if (params.product_id && !options.some(([id]) => id === params.product_id)) options.unshift([params.product_id, params.product_name || params.product_id]);
  const productField = field({ name: 'product_id', label: 'recall.product', type: 'select', required: true, options, raw: true, value: params.product_id, wide: true });
  const form = h('form', { class: 'form-grid', novalidate: true }, errorSummary(),
    owner === 'all' ? librarySearch(productField.querySelector('select')) : null,
    productField,
    field({ name: 'batches', label: 'recall.batches', value: params.batch, hint: 'recall.batches_hint' }),
    field({ name: 'level', label: 'recall.level', type: 'select', required: true, blank: false, options: LEVELS.map((l) => [l, `recall.level.${l}`]) }),
    field({ name: 'reason', label: 'recall.reason', type: 'textarea', required: true, wide: true }),
    field({ name: 'scope', label: 'recall.scope' }),
    field({ name: 'deadline', label: 'recall.deadline', type: 'date' }),
    field({ name: 'status', label: 'common.status', type: 'select', blank: false, options: [['active', 'recall.status.active'], ['planned', 'recall.status.planned']] }));
  const go = button(t('recall.start'), () => busy(go, async () => {
    const v = readForm(form);
    v.batches = (v.batches || '').split(/[,，、\s]+/).map((b) => b.trim()).filter(Boolean);
    try {
      const view = await api('POST', base, v);
      toast(t('recall.started', { n: (view.holders || []).length }));
      reload();
      detail(base, view.recall.id, reload);
    } catch (err) {
      showErrors(form, err);
    }
  }), 'danger');
  drawer(t('recall.create'), form, [button(t('common.cancel'), closeDrawer), go]);
}

/** The regulator's recalls page; `params.product_id` (from a trace) opens the create drawer. */
export async function render(root, { params }) {
  const list = listView({
    load: (p) => get('/api/v1/regulator/recalls', p),
    filters: [{ name: 'status', label: 'common.status', type: 'select', options: ['planned', 'active', 'completed'].map((s) => [s, `recall.status.${s}`]), blankLabel: t('common.all') }],
    columns: [
      { label: 'recall.product', value: (r) => r.recall.product_name },
      { label: 'recall.batches', value: (r) => batchesOf(r.recall) },
      { label: 'recall.level', value: (r) => t(`recall.level.${r.recall.level}`) },
      { label: 'recall.reason', value: (r) => r.recall.reason },
      { label: 'recall.progress', value: (r) => (r.summary ? `${r.summary.acknowledged}/${r.summary.holders}` : '—') },
      { label: 'common.status', value: (r) => recallStatus(r.recall.status) },
      { label: 'common.created_at', value: (r) => when(r.created_at) },
    ],
    actions: [button(t('recall.create'), () => create(BASE, 'all', {}, () => list.reload()), 'danger')],
    rowActions: (r) => [button(t('common.view'), () => detail(BASE, r.recall.id, () => list.reload()), 'link')],
    empty: 'recall.empty',
  });
  mount(root, pageHeader('menu.reg_recalls'), list.el);
  if (params.product_id) create(BASE, 'all', params, () => list.reload());
}
