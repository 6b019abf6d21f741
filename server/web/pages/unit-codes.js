// 追溯码 (一物一码) for an enterprise: applications for 24-digit codes with their code file and
// QR label sheets, the audited upload of inbound/outbound/retail/destroy files, packing and
// unpacking, and the lookup of one code with its history. One tab each.
import { api, get } from '../api.js';
import { t } from '../i18n.js';
import {
  busy, button, clearErrors, closeDrawer, drawer, errorSummary, field, h, listView, mount,
  pageHeader, readForm, showError, showErrors, toast, when,
} from '../ui.js';
import { productOptions } from './barcodes.js';
import { packForms, uploadForm } from './unit-files.js';
import { unitCard } from './unit-view.js';

const TABS = ['applications', 'upload', 'pack', 'lookup'];
const APPLY_LEVELS = ['unit', 'box', 'case'];
const LABELS_PER_PAGE = 24;

/** The link of one page of an application's label sheets. */
function labelsHref(app, page) {
  return `/api/v1/unit-codes/applications/${app.id}/labels.svg?page=${page}`;
}

/** The label sheets of an application, one A4 page at a time, shown here or in a new tab. */
function labelsDrawer(app, productName) {
  const pages = Math.max(1, Math.ceil(app.quantity / LABELS_PER_PAGE));
  const pageField = field({ name: 'page', label: 'unit.label_page', type: 'select', blank: false, raw: true,
    options: Array.from({ length: pages }, (_, i) => [String(i + 1), t('unit.page_of', { page: i + 1, pages })]) });
  const select = pageField.querySelector('select');
  const img = h('img', { class: 'label-sheet', alt: t('unit.labels_alt', { product: productName, batch: app.batch }) });
  const open = h('a', { class: 'button', target: '_blank', rel: 'noopener' }, t('unit.open_tab'));
  const show = () => {
    img.src = labelsHref(app, select.value);
    open.href = img.src;
  };
  select.addEventListener('change', show);
  show();
  drawer(`${t('unit.labels')} · ${productName} ${app.batch}`, h('div', {},
    h('div', { class: 'toolbar' }, pageField, h('div', { class: 'toolbar-buttons' }, open)),
    h('div', { class: 'sheet-wrap' }, img)),
  [button(t('common.close'), closeDrawer)]);
}

async function applyDrawer(reload, names) {
  let products;
  try {
    products = await productOptions('me');
  } catch (err) {
    showError(err);
    return;
  }
  const form = h('form', { class: 'form-grid', novalidate: true }, errorSummary(),
    h('p', { class: 'wide muted' }, t('unit.apply_intro')),
    field({ name: 'product_id', label: 'unit.product', type: 'select', required: true, nullable: true, options: products.map(([v, l]) => [v, l]), raw: true, wide: true }),
    field({ name: 'batch', label: 'unit.batch', required: true }),
    field({ name: 'level', label: 'unit.level', type: 'select', required: true, blank: false, options: APPLY_LEVELS.map((l) => [l, `barcode.level.${l}`]) }),
    field({ name: 'quantity', label: 'unit.quantity', type: 'number', min: 1, required: true, hint: 'unit.quantity_hint' }));
  const go = button(t('unit.apply'), () => busy(go, async () => {
    clearErrors(form);
    try {
      const app = await api('POST', '/api/v1/unit-codes/applications', readForm(form));
      toast(t('unit.applied', { n: app.quantity }));
      closeDrawer();
      reload();
      labelsDrawer(app, names.get(app.product_id) || '');
    } catch (err) {
      showErrors(form, err);
    }
  }), 'primary');
  form.addEventListener('submit', (e) => { e.preventDefault(); go.click(); });
  drawer(t('unit.apply_title'), form, [button(t('common.cancel'), closeDrawer), go]);
}

async function applications() {
  const names = new Map();
  try {
    for (const [id, label] of await productOptions('me')) names.set(id, label);
  } catch { /* names are a convenience: the id stands in */ }
  const name = (id) => names.get(id) || id.slice(0, 8);
  const list = listView({
    search: false,
    load: (p) => get('/api/v1/unit-codes/applications', p),
    columns: [
      { label: 'unit.applied_on', value: (a) => a.applied_on },
      { label: 'unit.product', value: (a) => name(a.product_id) },
      { label: 'unit.batch', value: (a) => a.batch },
      { label: 'unit.level', value: (a) => t(`barcode.level.${a.level}`) },
      { label: 'unit.quantity', value: (a) => a.quantity },
      { label: 'common.created_at', value: (a) => when(a.created_at) },
    ],
    actions: [button(t('unit.apply_title'), () => applyDrawer(() => list.reload(), names), 'primary')],
    rowActions: (a) => [
      h('a', { class: 'button link', href: `/api/v1/unit-codes/applications/${a.id}/codes.csv`, download: '' }, t('unit.download_codes')),
      button(t('unit.labels'), () => labelsDrawer(a, name(a.product_id)), 'link'),
    ],
    empty: 'unit.no_applications',
  });
  return list.el;
}

/** The lookup of one code: type or paste the 24 digits. */
function lookup(initial) {
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'form-grid card lookup-form', novalidate: true }, errorSummary(),
    field({ name: 'code', label: 'unit.lookup_code', required: true, value: initial, hint: 'unit.lookup_hint' }),
    h('div', { class: 'field' }, h('button', { type: 'submit', class: 'primary' }, t('unit.lookup'))));
  async function run(code) {
    clearErrors(form);
    form.querySelector('[name=code]').value = code;
    mount(result, h('p', { class: 'muted' }, t('common.loading')));
    try {
      const view = await get(`/api/v1/unit-codes/${encodeURIComponent(code.trim())}`);
      mount(result, unitCard(view, run));
    } catch (err) {
      mount(result);
      if (err.status === 404) showErrors(form, { message: t('unit.not_found'), errors: [{ field: 'code', message: t('unit.not_found') }] });
      else showErrors(form, err);
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run(readForm(form).code);
  });
  if (initial) run(initial);
  return h('div', {}, form, result);
}

/** The unit-code page; `params.tab` and `params.code` open a tab (and look a code up). */
export async function render(root, { me, params }) {
  const current = TABS.includes(params.tab) ? params.tab : (params.code ? 'lookup' : 'applications');
  const panel = h('div', { class: 'tab-panel', role: 'tabpanel' });
  const bar = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('menu.unit_codes') });
  async function open(tab) {
    for (const b of bar.children) {
      const on = b.dataset.tab === tab;
      b.classList.toggle('active', on);
      b.setAttribute('aria-selected', String(on));
    }
    if (tab === 'applications') mount(panel, await applications());
    if (tab === 'upload') mount(panel, uploadForm(me));
    if (tab === 'pack') mount(panel, packForms());
    if (tab === 'lookup') mount(panel, lookup(params.code || ''));
  }
  mount(bar, TABS.map((tab) => h('button', { type: 'button', role: 'tab', dataset: { tab }, onclick: () => open(tab) }, t(`unit.tab.${tab}`))));
  mount(root, pageHeader('menu.unit_codes', h('p', { class: 'muted' }, t('unit.intro'))), bar, panel);
  await open(current);
}
