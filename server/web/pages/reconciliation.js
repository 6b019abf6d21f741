// 采购/销售退入勾兑: counterparties' documents waiting for this enterprise. Confirming books the
// mirror document (a supplier's sales outbound becomes our purchase inbound) with the quantities
// received; a difference needs a reason. Disputing sends it back.
import { api, get } from '../api.js';
import { t } from '../i18n.js';
import {
  badge, busy, button, clearErrors, closeDrawer, drawer, errorSummary, field, h, listView, mount,
  pageHeader, readForm, showError, showErrors, toast,
} from '../ui.js';
import { today } from './documents.js';

const STATES = ['pending', 'confirmed', 'disputed', 'superseded'];

/** Registered partners' names by enterprise id, to name who sent an item. */
async function partnerNames() {
  const names = new Map();
  try {
    const [s, c] = await Promise.all([get('/api/v1/suppliers', { per_page: 500 }), get('/api/v1/customers', { per_page: 500 })]);
    for (const r of [...s.items, ...c.items]) if (r.partner.enterprise_id) names.set(r.partner.enterprise_id, r.partner.name);
  } catch { /* names are a convenience */ }
  return names;
}

function stateBadge(state) {
  const kind = { pending: 'warn', confirmed: 'ok', disputed: 'danger', superseded: 'muted' }[state.state];
  return badge(t(`recon.state.${state.state}`), kind);
}

function confirmDrawer(item, sender, reload) {
  const rows = item.lines.map((l, i) => h('tr', { dataset: { line: String(i) } },
    h('td', { dataset: { label: t('line.product') } }, l.product_name),
    h('td', { dataset: { label: t('line.batch') } }, l.batch),
    h('td', { dataset: { label: t('recon.sent') } }, `${l.quantity} ${l.unit}`),
    h('td', { dataset: { label: t('recon.received') } }, field({ name: 'quantity', label: 'recon.received', type: 'number', min: 0, value: l.quantity, required: true }))));
  const body = h('tbody', {}, rows);
  const form = h('form', { class: 'form-grid', novalidate: true }, errorSummary(),
    h('p', { class: 'wide' }, t('recon.confirm_intro', { number: item.source_number, sender })),
    field({ name: 'date', label: 'recon.date', type: 'date', value: today(), required: true }),
    field({ name: 'number', label: 'document.number', hint: 'document.number_hint', nullable: true }),
    field({ name: 'contact', label: 'document.contact' }),
    field({ name: 'phone', label: 'document.phone' }),
    h('div', { class: 'wide table-wrap', dataset: { skip: '1' } }, h('table', { class: 'lines' },
      h('caption', {}, t('line.title')),
      h('thead', {}, h('tr', {}, ['line.product', 'line.batch', 'recon.sent', 'recon.received'].map((k) => h('th', { scope: 'col' }, t(k))))),
      body)),
    field({ name: 'reason', label: 'recon.reason', type: 'textarea', wide: true, hint: 'recon.reason_hint', nullable: true }));
  const go = button(t('recon.confirm'), () => busy(go, async () => {
    clearErrors(form);
    const head = readForm(form);
    const received = [...body.children].map((tr) => Number(tr.querySelector('[name=quantity]').value));
    const changed = received.some((q, i) => q !== item.lines[i].quantity);
    const payload = { date: head.date, number: head.number, contact: head.contact, phone: head.phone, reason: head.reason };
    if (changed) payload.lines = item.lines.map((l, i) => ({ ...l, quantity: received[i] })).filter((l) => l.quantity > 0);
    try {
      await api('POST', `/api/v1/reconciliation/inbox/${item.id}/confirm`, payload);
      toast(t('recon.confirmed'));
      closeDrawer();
      reload();
    } catch (err) {
      showErrors(form, err);
    }
  }), 'primary');
  drawer(t('recon.confirm_title'), form, [button(t('common.cancel'), closeDrawer), go]);
}

function disputeDrawer(item, reload) {
  const form = h('form', { class: 'form-grid', novalidate: true }, errorSummary(),
    field({ name: 'reason', label: 'recon.dispute_reason', type: 'textarea', required: true, wide: true }));
  const go = button(t('recon.dispute'), () => busy(go, async () => {
    try {
      await api('POST', `/api/v1/reconciliation/inbox/${item.id}/dispute`, readForm(form));
      toast(t('recon.disputed'));
      closeDrawer();
      reload();
    } catch (err) {
      showErrors(form, err);
    }
  }), 'danger');
  drawer(t('recon.dispute_title'), form, [button(t('common.cancel'), closeDrawer), go]);
}

/** The reconciliation inbox page. */
export async function render(root) {
  const names = await partnerNames();
  const sender = (id) => names.get(id) || id.slice(0, 8);
  const list = listView({
    load: (p) => get('/api/v1/reconciliation/inbox', p),
    filters: [{ name: 'state', label: 'common.status', type: 'select', options: STATES.map((s) => [s, `recon.state.${s}`]), blankLabel: t('common.all'), value: 'pending' }],
    columns: [
      { label: 'recon.kind', value: (i) => t(`recon.kind.${i.kind}`) },
      { label: 'recon.source_number', value: (i) => i.source_number },
      { label: 'recon.from', value: (i) => sender(i.from) },
      { label: 'document.date', value: (i) => i.date },
      { label: 'document.lines', value: (i) => i.lines.map((l) => `${l.product_name} ${l.batch} × ${l.quantity}`).join('；') },
      { label: 'common.status', value: (i) => stateBadge(i.state) },
    ],
    rowActions: (i) => (i.state.state === 'pending' ? [
      button(t('recon.confirm'), () => confirmDrawer(i, sender(i.from), () => list.reload()), 'link'),
      button(t('recon.dispute'), () => disputeDrawer(i, () => list.reload()), 'link danger'),
    ] : []),
    empty: 'recon.empty',
  });
  mount(root, pageHeader('menu.reconciliation', h('p', { class: 'muted' }, t('recon.intro'))), list.el);
}
