// 不合格产品名录 for regulators: record sampling results; listing a batch blocks its sale by
// every holder, who are listed with their quantities.
import { api, get } from '../api.js';
import { t } from '../i18n.js';
import { busy, button, closeDrawer, drawer, h, listView, mount, pageHeader, showError, showErrors, toast, when } from '../ui.js';
import { namedProducts } from './barcodes.js';
import { LISTING_COLUMNS, LISTING_STATES, listingBody, listingForm, stepButtons } from './nonconforming.js';

function holders(list) {
  return h('table', { class: 'list holders' },
    h('caption', {}, t('recall.holders', { n: list.length })),
    h('thead', {}, h('tr', {}, ['trace.holder', 'trace.region', 'recall.received', 'recall.held', 'common.created_at'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, list.map((x) => h('tr', {},
      h('td', {}, x.enterprise_name), h('td', {}, x.region_code), h('td', {}, x.quantity_received),
      h('td', {}, x.quantity_held), h('td', {}, when(x.created_at))))));
}

async function detail(id, reload) {
  try {
    const view = await get(`/api/v1/regulator/nonconforming/${id}`);
    const moved = () => {
      reload();
      detail(id, reload);
    };
    drawer(`${t('nc.detail')} · ${view.listing.product_name}`, h('div', {},
      h('p', {}, view.listing.defect), holders(view.holders || [])),
    [...stepButtons(view.listing, '/api/v1/regulator/nonconforming', moved), button(t('common.close'), closeDrawer)]);
  } catch (err) {
    showError(err);
  }
}

async function record(reload) {
  let products;
  try {
    products = await namedProducts('all');
  } catch (err) {
    showError(err);
    return;
  }
  const form = listingForm(products, ['sampling_inspection', 'complaint', 'regulator_notice'], true);
  const go = button(t('nc.list_batch'), () => busy(go, async () => {
    try {
      const view = await api('POST', '/api/v1/regulator/nonconforming', listingBody(form));
      toast(t('common.saved'));
      reload();
      detail(view.listing.id, reload);
    } catch (err) {
      showErrors(form, err);
    }
  }), 'danger');
  drawer(t('nc.record'), form, [button(t('common.cancel'), closeDrawer), go]);
}

/** The regulator's nonconforming registry. */
export async function render(root) {
  const list = listView({
    load: (p) => get('/api/v1/regulator/nonconforming', p),
    filters: [{ name: 'state', label: 'common.status', type: 'select', options: LISTING_STATES.map((s) => [s, `nc.state.${s}`]), blankLabel: t('common.all') }],
    columns: LISTING_COLUMNS,
    actions: [button(t('nc.record'), () => record(() => list.reload()), 'danger')],
    rowActions: (r) => [button(t('common.view'), () => detail(r.listing.id, () => list.reload()), 'link')],
    empty: 'nc.empty',
  });
  mount(root, pageHeader('menu.reg_nonconforming'), list.el);
}
