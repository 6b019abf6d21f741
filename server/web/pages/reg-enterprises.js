// 辖区企业名录: the region's enterprises with reporting activity, and a read-only drill-down.
import { get } from '../api.js';
import { t } from '../i18n.js';
import { badge, button, closeDrawer, drawer, h, listView, mount, pageHeader, showError, statusBadge, when } from '../ui.js';
import { ENTERPRISE_KINDS } from './profile.js';

function table(headKeys, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, headKeys.map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, rows.length ? rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c)))) : h('tr', {}, h('td', { colspan: headKeys.length, class: 'empty' }, t('common.empty'))))));
}

async function drill(row) {
  const e = row.enterprise;
  const base = `/api/v1/regulator/enterprises/${e.id}`;
  try {
    const [docs, stock, products] = await Promise.all([
      get(`${base}/transactions`, { per_page: 20 }),
      get(`${base}/stock`, { per_page: 20 }),
      get(`${base}/products`, { per_page: 20 }),
    ]);
    drawer(e.name, h('div', {},
      h('dl', { class: 'facts' },
        h('dt', {}, t('enterprise.uscc')), h('dd', {}, e.uscc),
        h('dt', {}, t('enterprise.kind')), h('dd', {}, t(`ekind.${e.kind}`)),
        h('dt', {}, t('enterprise.region_code')), h('dd', {}, e.region_code),
        h('dt', {}, t('enterprise.address')), h('dd', {}, e.address),
        h('dt', {}, t('enterprise.contact')), h('dd', {}, `${e.contact} ${e.phone}`)),
      h('h3', {}, t('menu.documents')),
      table(['document.number', 'document.kind', 'document.date', 'document.counterparty', 'common.status'],
        docs.items.map((d) => [d.number, t(`kind.${d.kind}`), d.date, d.counterparty ? d.counterparty.name : '—', statusBadge(d.status)])),
      h('h3', {}, t('menu.stock')),
      table(['line.product', 'line.batch', 'stock.held'], stock.items.map((s) => [s.product_name || s.product_id, s.batch, s.held])),
      h('h3', {}, t('menu.products')),
      table(['product.generic_name', 'product.registration_number', 'product.specification'], products.items.map((p) => [p.product.generic_name, p.product.registration_number, p.product.specification]))),
    [button(t('common.close'), closeDrawer)]);
  } catch (err) {
    showError(err);
  }
}

/** The enterprise directory. */
export async function render(root) {
  const list = listView({
    load: (p) => get('/api/v1/regulator/enterprises', p),
    filters: [
      { name: 'kind', label: 'enterprise.kind', type: 'select', options: ENTERPRISE_KINDS.map((k) => [k, `ekind.${k}`]), blankLabel: t('common.all') },
      { name: 'region_code', label: 'enterprise.region_code' },
      { name: 'active_since', label: 'dir.active_since', type: 'date' },
    ],
    columns: [
      { label: 'enterprise.name', value: (r) => r.enterprise.name },
      { label: 'enterprise.uscc', value: (r) => r.enterprise.uscc },
      { label: 'enterprise.kind', value: (r) => t(`ekind.${r.enterprise.kind}`) },
      { label: 'enterprise.region_code', value: (r) => r.enterprise.region_code },
      { label: 'dir.last_submitted', value: (r) => (r.last_submitted_at ? when(r.last_submitted_at) : badge(t('dir.never'), 'muted')) },
      { label: 'dir.submitted', value: (r) => r.submitted },
      { label: 'dir.unreconciled', value: (r) => (r.unreconciled ? badge(String(r.unreconciled), 'warn') : '0') },
    ],
    rowActions: (r) => [button(t('common.view'), () => drill(r), 'link')],
  });
  mount(root, pageHeader('menu.enterprises'), list.el);
}
