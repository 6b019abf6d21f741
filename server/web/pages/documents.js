// 进销存交易: the five document kinds with their lines. Save keeps a draft editable; submit
// moves stock, chains the record and sends the counterparty a reconciliation item, after which
// the document shows read-only.
import { api, get, query } from '../api.js';
import { t } from '../i18n.js';
import {
  badge, busy, button, clearErrors, closeDrawer, drawer, errorSummary, field, h, listView, lockForm,
  mount, pageHeader, readForm, showError, showErrors, statusBadge, toast,
} from '../ui.js';
import { productOptions } from './barcodes.js';
import { importDrawer } from './products.js';

/** The five kinds, in the seed's order. */
export const KINDS = ['finished_goods_inbound', 'purchase_inbound', 'purchase_return', 'sales_outbound', 'sales_return'];

/** Which partner list a kind's counterparty comes from. */
function partnerRole(kind) {
  if (kind === 'purchase_inbound' || kind === 'purchase_return') return 'suppliers';
  if (kind === 'sales_outbound' || kind === 'sales_return') return 'customers';
  return null;
}

/** Today in China, where documents are dated. */
export function today() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

const LINE_FIELDS = [
  ['product_id', 'line.product', 'select'],
  ['gtin', 'line.gtin', 'text'],
  ['batch', 'line.batch', 'text'],
  ['quantity', 'line.quantity', 'number'],
  ['unit', 'line.unit', 'text'],
  ['production_date', 'line.production_date', 'date'],
  ['expiry_date', 'line.expiry_date', 'date'],
];
const REQUIRED_LINE = new Set(['product_id', 'batch', 'quantity', 'unit']);

/** The lines sub-table: one row of labelled inputs per line, added and removed in place. */
export function linesTable(products, lines, readonly) {
  const body = h('tbody');
  const table = h('table', { class: 'lines' },
    h('caption', {}, t('line.title')),
    h('thead', {}, h('tr', {}, LINE_FIELDS.map(([name, label]) => h('th', { scope: 'col' }, REQUIRED_LINE.has(name) ? h('span', { class: 'req', 'aria-hidden': 'true' }, '*') : null, t(label))), readonly ? null : h('th', { scope: 'col' }, t('common.actions')))),
    body);
  function renumber() {
    [...body.children].forEach((tr, i) => {
      tr.dataset.line = String(i);
      for (const lab of tr.querySelectorAll('label')) lab.textContent = `${t('line.row', { n: i + 1 })} ${lab.dataset.text}`;
    });
  }
  function addLine(line = {}) {
    const tr = h('tr');
    for (const [name, label, type] of LINE_FIELDS) {
      const spec = { name, label, type, required: REQUIRED_LINE.has(name), readonly };
      if (type === 'select') Object.assign(spec, { options: products.map(([v, l]) => [v, l]), raw: true });
      if (name === 'quantity') spec.min = 1;
      if (name === 'gtin') spec.nullable = true;
      const f = field(spec);
      const lab = f.querySelector('label');
      lab.dataset.text = t(label);
      lab.classList.add('sr-only');
      const input = f.querySelector('[name]');
      if (line[name] !== undefined && line[name] !== null) input.value = String(line[name]);
      tr.append(h('td', { dataset: { label: t(label) } }, f));
    }
    const select = tr.querySelector('[name=product_id]');
    if (line.product_id && ![...select.options].some((o) => o.value === line.product_id)) {
      select.append(h('option', { value: line.product_id }, line.product_name || line.product_id));
      select.value = line.product_id;
    }
    if (!readonly) {
      tr.append(h('td', {}, button(t('line.remove'), () => { tr.remove(); renumber(); }, 'link danger')));
    }
    body.append(tr);
    renumber();
  }
  (lines.length ? lines : readonly ? [] : [{ unit: t('line.default_unit') }]).forEach(addLine);
  /** Offers more products (from a library search) in every line's product list. */
  function offer(more) {
    for (const p of more) if (!products.some(([id]) => id === p[0])) products.push(p);
    for (const select of body.querySelectorAll('[name=product_id]')) {
      const have = new Set([...select.options].map((o) => o.value));
      for (const [id, label] of products) if (!have.has(id)) select.append(h('option', { value: id }, label));
    }
  }
  /** The lines as the API takes them. */
  function read() {
    return [...body.children].map((tr) => {
      const line = readForm(tr);
      const p = products.find(([id]) => id === line.product_id);
      line.product_name = p ? p[2].generic_name : (tr.querySelector('[name=product_id] option:checked')?.textContent || '');
      if (line.quantity === null) line.quantity = 0;
      return line;
    });
  }
  // The library may hold many thousands of products: the lists start with a window of it and a
  // search brings in the rest.
  const searchId = `line-search-${Math.random().toString(36).slice(2, 8)}`;
  const search = h('input', { type: 'search', id: searchId, placeholder: t('line.search_placeholder') });
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        offer(await productOptions('all', search.value.trim()));
      } catch (err) {
        showError(err);
      }
    }, 250);
  });
  const wrap = h('div', { class: 'lines-wrap wide', dataset: { field: 'lines', skip: '1' } },
    readonly ? null : h('div', { class: 'field line-search' }, h('label', { for: searchId }, t('line.search')), search),
    h('div', { class: 'table-wrap' }, table),
    readonly ? null : button(t('line.add'), () => addLine({ unit: t('line.default_unit') })),
    h('div', { class: 'err' }));
  return { el: wrap, read };
}

/** The document drawer: `stored` to view or edit, or a new draft (from `template` when it corrects one). */
async function edit(stored, reload, template) {
  const doc = stored || null;
  const source = doc || template || null;
  const readonly = !!(doc && doc.status && doc.status.state === 'submitted');
  let products;
  let partners = { suppliers: [], customers: [] };
  try {
    products = await productOptions('all');
    const [s, c] = await Promise.all([get('/api/v1/suppliers', { per_page: 500 }), get('/api/v1/customers', { per_page: 500 })]);
    partners = { suppliers: s.items.map((r) => r.partner), customers: c.items.map((r) => r.partner) };
  } catch (err) {
    showError(err);
    return;
  }
  const header = h('div', { class: 'form-grid wide' },
    field({ name: 'kind', label: 'document.kind', type: 'select', required: true, blank: false, readonly, options: KINDS.map((k) => [k, `kind.${k}`]) }),
    field({ name: 'number', label: 'document.number', readonly, hint: 'document.number_hint' }),
    field({ name: 'date', label: 'document.date', type: 'date', required: true, readonly, value: today() }),
    field({ name: 'partner', label: 'document.counterparty', type: 'select', required: true, readonly, options: [] }),
    field({ name: 'contact', label: 'document.contact', readonly }),
    field({ name: 'phone', label: 'document.phone', readonly }),
    field({ name: 'remarks', label: 'document.remarks', type: 'textarea', readonly, wide: true }));
  const partnerSelect = header.querySelector('[name=partner]');
  const kindSelect = header.querySelector('[name=kind]');
  const partnerBox = partnerSelect.closest('.field');
  partnerBox.dataset.field = 'counterparty';
  function fillPartners() {
    const role = partnerRole(kindSelect.value);
    partnerBox.hidden = !role;
    const list = role ? partners[role] : [];
    mount(partnerSelect, h('option', { value: '' }, t('common.choose')),
      list.map((p) => h('option', { value: p.id }, `${p.name}${p.enterprise_id ? '' : ` (${t('document.not_registered')})`}`)));
    const current = source && source.counterparty;
    if (current) {
      if (current.partner_id && list.some((p) => p.id === current.partner_id)) partnerSelect.value = current.partner_id;
      else {
        partnerSelect.append(h('option', { value: '__current' }, current.name));
        partnerSelect.value = '__current';
      }
    }
  }
  kindSelect.addEventListener('change', fillPartners);
  if (source) {
    for (const k of ['kind', 'number', 'date', 'contact', 'phone', 'remarks']) {
      const el = header.querySelector(`[name=${k}]`);
      if (el && source[k] !== undefined && source[k] !== null) el.value = source[k];
    }
  }
  fillPartners();
  const lines = linesTable(products, source ? source.lines : [], readonly);
  const corrects = source ? source.corrects : null;
  const form = h('form', { class: 'form-grid', novalidate: true }, errorSummary(),
    readonly ? h('p', { class: 'wide notice' }, t('document.readonly')) : null,
    corrects && !readonly ? h('p', { class: 'wide notice' }, t('document.correcting')) : null,
    header, lines.el);
  if (readonly) lockForm(form);

  function body() {
    const v = readForm(header);
    const role = partnerRole(v.kind);
    let counterparty = null;
    if (role) {
      const p = partners[role].find((x) => x.id === v.partner);
      if (p) counterparty = { partner_id: p.id, name: p.name, uscc: p.uscc, enterprise_id: p.enterprise_id };
      else if (v.partner === '__current' && source) counterparty = source.counterparty;
    }
    delete v.partner;
    return { ...v, number: v.number || null, counterparty, lines: lines.read(), corrects };
  }
  let saved = doc;
  async function persist() {
    const b = body();
    saved = saved
      ? await api('PUT', `/api/v1/transactions/${saved.id}`, b)
      : await api('POST', '/api/v1/transactions', b);
    header.querySelector('[name=number]').value = saved.number;
    return saved;
  }
  const save = button(t('common.save'), () => busy(save, async () => {
    clearErrors(form);
    try {
      await persist();
      toast(t('common.saved'));
      reload();
    } catch (err) {
      showErrors(form, err);
    }
  }));
  const submit = button(t('common.submit'), () => busy(submit, async () => {
    clearErrors(form);
    try {
      await persist();
      await api('POST', `/api/v1/transactions/${saved.id}/submit`, {});
      toast(t('document.submitted'));
      closeDrawer();
      reload();
    } catch (err) {
      showErrors(form, err);
      reload();
    }
  }), 'primary');
  const title = doc ? `${t(`kind.${doc.kind}`)} ${doc.number}` : t('document.add');
  // A submitted document never changes: a mistake is corrected by a new document naming it.
  const correct = button(t('document.correct'), () => edit(null, reload, { ...doc, number: null, date: today(), corrects: doc.id }));
  drawer(title, form, readonly ? [button(t('common.close'), closeDrawer), doc.corrected_by ? null : correct].filter(Boolean) : [button(t('common.cancel'), closeDrawer), save, submit]);
}

/** The documents page. */
export async function render(root) {
  const list = listView({
    load: (p) => get('/api/v1/transactions', p),
    filters: [
      { name: 'kind', label: 'document.kind', type: 'select', options: KINDS.map((k) => [k, `kind.${k}`]), blankLabel: t('common.all') },
      { name: 'status', label: 'common.status', type: 'select', options: [['draft', 'status.draft'], ['submitted', 'status.submitted']], blankLabel: t('common.all') },
      { name: 'date_from', label: 'common.date_from', type: 'date' },
      { name: 'date_to', label: 'common.date_to', type: 'date' },
    ],
    columns: [
      { label: 'document.number', value: (d) => d.number },
      { label: 'document.kind', value: (d) => t(`kind.${d.kind}`) },
      { label: 'document.date', value: (d) => d.date },
      { label: 'document.counterparty', value: (d) => (d.counterparty ? d.counterparty.name : '—') },
      { label: 'document.lines', value: (d) => d.lines.map((l) => `${l.product_name} ${l.batch} × ${l.quantity}`).join('；') },
      { label: 'common.status', value: (d) => [statusBadge(d.status), d.corrected_by ? [' ', badge(t('document.corrected'), 'warn')] : null, d.corrects ? [' ', badge(t('document.correction'), 'muted')] : null] },
    ],
    actions: [
      button(t('common.add'), () => edit(null, () => list.reload()), 'primary'),
      button(t('import.title'), () => importDrawer('/api/v1/transactions/import', '/api/v1/transactions/template.xlsx', () => list.reload())),
      button(t('common.export'), () => { location.href = `/api/v1/transactions/export.xlsx${query(list.params())}`; }),
    ],
    rowActions: (d) => {
      const submitted = d.status && d.status.state === 'submitted';
      return [
        button(t(submitted ? 'common.view' : 'common.edit'), async () => {
          try {
            edit(await get(`/api/v1/transactions/${d.id}`), () => list.reload());
          } catch (err) {
            showError(err);
          }
        }, 'link'),
        submitted ? null : button(t('common.delete'), async () => {
          if (!confirm(t('common.confirm_delete'))) return;
          try {
            await api('DELETE', `/api/v1/transactions/${d.id}`);
            list.reload();
          } catch (err) {
            showError(err);
          }
        }, 'link danger'),
      ];
    },
  });
  mount(root, pageHeader('menu.documents'), list.el);
}
