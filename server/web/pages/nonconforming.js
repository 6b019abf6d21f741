// 不合格化妆品信息 for an enterprise: listings that concern it (its own reports and regulators'
// listings of batches it holds), and its own self-check reports.
import { api, get } from '../api.js';
import { t } from '../i18n.js';
import {
  badge, busy, button, closeDrawer, drawer, errorSummary, field, h, listView, mount, pageHeader,
  readForm, showError, showErrors, toast, when,
} from '../ui.js';
import { librarySearch, namedProducts } from './barcodes.js';
import { today } from './documents.js';

/** Listing states. */
export const LISTING_STATES = ['open', 'handling', 'closed', 'revoked'];

/** A listing's handling state as a badge. */
export function listingState(state) {
  const kind = { open: 'danger', handling: 'warn', closed: 'ok', revoked: 'muted' }[state];
  return badge(t(`nc.state.${state}`), kind);
}

/** The columns both the enterprise's and the regulator's lists show. */
export const LISTING_COLUMNS = [
  { label: 'recall.product', value: (r) => r.listing.product_name },
  { label: 'recall.batches', value: (r) => (r.listing.batches.length ? r.listing.batches.join('、') : t('recall.all_batches')) },
  { label: 'nc.source', value: (r) => t(`nc.source.${r.listing.source}`) },
  { label: 'nc.defect', value: (r) => r.listing.defect },
  { label: 'nc.found_on', value: (r) => r.listing.found_on },
  { label: 'common.status', value: (r) => listingState(r.listing.state) },
  { label: 'common.created_at', value: (r) => when(r.created_at) },
];

/** The form of a new listing; `sources` are the sources the caller may give; `search` adds a
 *  search of the whole library (a regulator lists any product of its region). */
export function listingForm(products, sources, search) {
  const productField = field({ name: 'product_id', label: 'recall.product', type: 'select', required: true, options: products, raw: true, wide: true });
  return h('form', { class: 'form-grid', novalidate: true }, errorSummary(),
    search ? librarySearch(productField.querySelector('select')) : null,
    productField,
    field({ name: 'batches', label: 'recall.batches', hint: 'recall.batches_hint' }),
    field({ name: 'source', label: 'nc.source', type: 'select', blank: false, options: sources.map((s) => [s, `nc.source.${s}`]) }),
    field({ name: 'found_on', label: 'nc.found_on', type: 'date', required: true, value: today() }),
    field({ name: 'defect', label: 'nc.defect', type: 'textarea', required: true, wide: true }),
    field({ name: 'test_report_number', label: 'nc.test_report_number' }),
    field({ name: 'handling_measures', label: 'nc.handling_measures', wide: true }));
}

/** The handling steps a listing in `state` may take next. */
const NEXT = { open: ['handling', 'closed', 'revoked'], handling: ['closed', 'revoked'], closed: ['revoked'], revoked: [] };

/** Buttons moving a listing on (处置中, 已处置, 撤销) through `${base}/{id}/state`. */
export function stepButtons(listing, base, after) {
  return NEXT[listing.state].map((next) => button(t(`nc.to.${next}`), async () => {
    if (next === 'revoked' && !confirm(t('nc.confirm_revoke'))) return;
    try {
      await api('POST', `${base}/${listing.id}/state`, { state: next });
      toast(t('common.saved'));
      after();
    } catch (err) {
      showError(err);
    }
  }, next === 'revoked' ? 'link danger' : 'link'));
}

/** The form's values as the API takes them. */
export function listingBody(form) {
  const v = readForm(form);
  v.batches = (v.batches || '').split(/[,，、\s]+/).map((b) => b.trim()).filter(Boolean);
  return v;
}

async function report(reload) {
  let products;
  try {
    products = await namedProducts('me');
  } catch (err) {
    showError(err);
    return;
  }
  const form = listingForm(products, ['self_check', 'complaint']);
  const go = button(t('common.submit'), () => busy(go, async () => {
    try {
      await api('POST', '/api/v1/nonconforming', listingBody(form));
      toast(t('common.saved'));
      closeDrawer();
      reload();
    } catch (err) {
      showErrors(form, err);
    }
  }), 'primary');
  drawer(t('nc.report'), form, [button(t('common.cancel'), closeDrawer), go]);
}

/** The enterprise's nonconforming page; it moves on the listings it reported itself. */
export async function render(root, { me }) {
  const list = listView({
    load: (p) => get('/api/v1/nonconforming', p),
    filters: [{ name: 'state', label: 'common.status', type: 'select', options: LISTING_STATES.map((s) => [s, `nc.state.${s}`]), blankLabel: t('common.all') }],
    columns: LISTING_COLUMNS,
    actions: [button(t('nc.report'), () => report(() => list.reload()), 'primary')],
    rowActions: (r) => (me.enterprise && r.listing.reported_by === me.enterprise.id
      ? stepButtons(r.listing, '/api/v1/nonconforming', () => list.reload()) : []),
    empty: 'nc.empty',
  });
  mount(root, pageHeader('menu.nonconforming', h('p', { class: 'muted' }, t('nc.intro'))), list.el);
}
