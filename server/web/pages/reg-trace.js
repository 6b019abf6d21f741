// 批次追溯 for regulators: by product + batch, GTIN + batch, a scanned code or a photo of the
// package, or a 24-digit unit code (一物一码, whose own history is shown above its batch's flow);
// the flow drawn as a graph with quantities, listed as a tree, exported as .xlsx, and a recall
// started from it.
import { api, get, query } from '../api.js';
import { t } from '../i18n.js';
import { badge, button, errorSummary, field, h, mount, pageHeader, readForm, showErrors } from '../ui.js';
import { traceGraph } from '../svg.js';
import { unitCard } from './unit-view.js';

const MODES = ['product', 'gtin', 'code', 'serial'];

/** Library products matching a keyword, as options. */
async function findProducts(q) {
  const page = await get('/api/v1/products', { owner: 'all', q, per_page: 50, sort: 'generic_name' });
  return page.items.map((r) => [r.product.id, `${r.product.generic_name} · ${r.product.specification} · ${r.product.registration_number}`]);
}

function holdersTable(report) {
  return h('table', { class: 'list holders' },
    h('caption', {}, t('trace.holders', { n: report.nodes.length })),
    h('thead', {}, h('tr', {}, ['trace.holder', 'trace.uscc', 'trace.region', 'trace.received', 'trace.passed_on', 'trace.held'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, report.nodes.map((n) => h('tr', {},
      h('td', { dataset: { label: t('trace.holder') } }, n.name, n.in_region ? null : [' ', badge(t('trace.out_of_region'), 'muted')]),
      h('td', { dataset: { label: t('trace.uscc') } }, n.uscc || '—'),
      h('td', { dataset: { label: t('trace.region') } }, n.region_code || '—'),
      h('td', { dataset: { label: t('trace.received') } }, n.produced + n.received + n.returns_in),
      h('td', { dataset: { label: t('trace.passed_on') } }, n.passed_on + n.returned_out),
      h('td', { dataset: { label: t('trace.held') } }, n.held === null || n.held === undefined ? '—' : n.held)))));
}

function tree(report) {
  if (!report.tree.length) return h('p', { class: 'muted' }, t('trace.no_movements'));
  return h('ul', { class: 'trace-tree', 'aria-label': t('trace.tree') }, report.tree.map((line) => {
    const from = report.nodes[line.from].name;
    const to = report.nodes[line.to].name;
    const d = line.document;
    return h('li', { class: `depth-${Math.min(line.depth, 6)} ${line.direction}` },
      h('span', { class: 'tree-arrow', 'aria-hidden': 'true' }, line.direction === 'backward' ? '↖' : '↘'),
      `${from} → ${to}`, ' · ',
      h('span', { class: 'muted' }, `${t(`kind.${d.kind}`)} ${d.number} ${d.date}`), ' · ',
      h('strong', {}, `${t('trace.quantity')} ${d.quantity}`),
      line.repeat ? h('span', { class: 'muted' }, ` (${t('trace.repeat')})`) : null);
  }));
}

/** The trace page; `params` may preset product_id/gtin/code and batch, or a unit code (serial). */
export async function render(root, { params, navigate }) {
  const result = h('section', { class: 'trace-result', 'aria-live': 'polite' });
  const productSearch = h('input', { type: 'search', id: 'trace-product-search', placeholder: t('trace.product_search') });
  const productField = field({ name: 'product_id', label: 'trace.product', type: 'select', options: [], raw: true, required: true });
  const photoField = field({ name: 'photo', label: 'trace.photo', type: 'file', accept: 'image/png,image/jpeg,image/webp', hint: 'trace.photo_hint' });
  const form = h('form', { class: 'form-grid trace-form', novalidate: true },
    errorSummary(),
    field({ name: 'mode', label: 'trace.mode', type: 'select', blank: false, options: MODES.map((m) => [m, `trace.mode.${m}`]),
      value: params.serial ? 'serial' : params.gtin ? 'gtin' : params.code ? 'code' : 'product' }),
    h('div', { class: 'field', dataset: { skip: '1', modes: 'product' } }, h('label', { for: productSearch.id }, t('trace.product_search')), productSearch),
    h('div', { dataset: { modes: 'product' } }, productField),
    h('div', { dataset: { modes: 'gtin' } }, field({ name: 'gtin', label: 'trace.gtin', required: true, value: params.gtin })),
    h('div', { dataset: { modes: 'code' } }, field({ name: 'code', label: 'trace.code', required: true, value: params.code })),
    h('div', { class: 'photo-field', dataset: { skip: '1', modes: 'code' } }, photoField),
    h('div', { dataset: { modes: 'serial' } }, field({ name: 'serial', label: 'trace.serial', required: true, value: params.serial, hint: 'trace.serial_hint' })),
    h('div', { dataset: { modes: 'product gtin code' } }, field({ name: 'batch', label: 'trace.batch', required: true, value: params.batch })),
    h('div', { class: 'field' }, h('button', { type: 'submit', class: 'primary' }, t('trace.run'))));
  const modeSelect = form.querySelector('[name=mode]');
  // A photo of the package: the server's decoder reads the code, which then names the product
  // (and the batch, when a GS1 code carries one).
  const photoInput = photoField.querySelector('input');
  photoInput.addEventListener('change', async () => {
    const file = photoInput.files[0];
    if (!file) return;
    const slot = photoField.querySelector('.hint');
    slot.textContent = t('barcode.reading');
    try {
      const found = await api('POST', '/api/v1/barcodes/recognize', file);
      if (!found.codes.length) {
        slot.textContent = t('trace.photo_none');
        return;
      }
      form.querySelector('[name=code]').value = found.codes[0].text;
      slot.textContent = t('trace.photo_read', { code: found.codes[0].text });
    } catch (err) {
      slot.textContent = err.message;
    }
  });
  const productSelect = productField.querySelector('select');
  // A part of the form shows (and is read) only in the modes it names.
  function showMode() {
    for (const el of form.querySelectorAll('[data-modes]')) {
      const off = !el.dataset.modes.split(' ').includes(modeSelect.value);
      el.hidden = off;
      el.toggleAttribute('data-skip', off);
    }
  }
  modeSelect.addEventListener('change', showMode);
  showMode();
  async function refreshProducts() {
    try {
      const options = await findProducts(productSearch.value.trim());
      const keep = productSelect.value || params.product_id;
      mount(productSelect, h('option', { value: '' }, t('common.choose')), options.map(([v, l]) => h('option', { value: v }, l)));
      if (keep) productSelect.value = keep;
    } catch (err) {
      showErrors(form, err);
    }
  }
  let timer = null;
  productSearch.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(refreshProducts, 250);
  });
  await refreshProducts();

  async function run() {
    const v = readForm(form);
    const q = v.mode === 'serial' ? { serial: v.serial } : { batch: v.batch };
    if (v.mode === 'product') q.product_id = v.product_id;
    if (v.mode === 'gtin') q.gtin = v.gtin;
    if (v.mode === 'code') q.code = v.code;
    mount(result, h('p', { class: 'muted' }, t('common.loading')));
    let report;
    try {
      report = await get('/api/v1/regulator/trace', q);
    } catch (err) {
      mount(result);
      showErrors(form, err);
      return;
    }
    const texts = { title: t('trace.graph'), held: t('trace.held'), sent: t('trace.sent'), received: t('trace.received'), returned: t('trace.returned'), external: t('trace.external') };
    mount(result,
      h('div', { class: 'trace-head' },
        h('h2', {}, `${report.product_name || report.product_id} · ${t('trace.batch')} ${report.batch}`),
        h('a', { class: 'button', href: `/api/v1/regulator/trace.xlsx${query(q)}`, download: '' }, t('common.export')),
        button(t('trace.start_recall'), () => navigate('reg-recalls', { product_id: report.product_id, batch: report.batch, product_name: report.product_name || '' }), 'danger')),
      report.unit ? [h('h3', {}, t('trace.unit_history', { code: report.unit.code })), unitCard(report.unit)] : null,
      h('div', { class: 'graph-wrap' }, traceGraph(report, texts)),
      holdersTable(report),
      h('h3', {}, t('trace.tree')),
      tree(report));
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  mount(root, pageHeader('menu.trace', h('p', { class: 'muted' }, t('trace.intro'))), form, result);
  if (params.serial || (params.batch && (params.product_id || params.gtin || params.code))) run();
}
