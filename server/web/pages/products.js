// 产品信息库: the enterprise's products with search and pages, the add/edit drawer, and Excel
// template, import (with progress and the rows refused) and export.
import { api, get, query, upload } from '../api.js';
import { attachmentsEditor } from '../attachments.js';
import { t } from '../i18n.js';
import {
  badge, busy, button, clearErrors, closeDrawer, download, drawer, errorSummary, field, fillForm,
  h, listView, mount, pageHeader, readForm, showError, showErrors, toast, when,
} from '../ui.js';

const FIELDS = [
  { name: 'generic_name', label: 'product.generic_name', required: true, wide: true },
  { name: 'brand', label: 'product.brand' },
  { name: 'registration_number', label: 'product.registration_number', required: true, hint: 'product.registration_hint' },
  { name: 'registrant', label: 'product.registrant', required: true },
  { name: 'manufacturer', label: 'product.manufacturer', required: true },
  { name: 'specification', label: 'product.specification', required: true },
  { name: 'shelf_life_months', label: 'product.shelf_life_months', type: 'number', min: 1 },
];

/** The derived status (有效/不合格/召回) as a badge. */
export function productStatus(status) {
  const code = typeof status === 'string' ? status : (status && (status.status || status.state)) || 'valid';
  const kind = code === 'valid' ? 'ok' : 'danger';
  return badge(t(`product.status.${code}`), kind);
}

function edit(row, reload) {
  const product = row ? row.product : null;
  const form = h('form', { class: 'form-grid', novalidate: true }, errorSummary(), FIELDS.map((f) => field(f)));
  if (product) fillForm(form, product);
  let attachments = product ? product.attachments : [];
  form.append(attachmentsEditor(product ? attachments : null, async (list) => {
    const stored = await api('PUT', `/api/v1/products/${product.id}`, { ...product, attachments: list });
    attachments = stored.product.attachments;
    reload();
    return attachments;
  }));
  const save = button(t('common.save'), () => busy(save, async () => {
    clearErrors(form);
    const body = { ...readForm(form), attachments };
    try {
      if (product) await api('PUT', `/api/v1/products/${product.id}`, body);
      else await api('POST', '/api/v1/products', body);
      toast(t('common.saved'));
      closeDrawer();
      reload();
    } catch (err) {
      showErrors(form, err);
    }
  }), 'primary');
  form.addEventListener('submit', (e) => { e.preventDefault(); save.click(); });
  drawer(t(product ? 'product.edit' : 'product.add'), form, [button(t('common.cancel'), closeDrawer), save]);
}

/** The import drawer: choose the filled template, watch it upload, read the result.
 *  `columns` names the columns (key → label key) in the table of rows refused. */
export function importDrawer(path, templateHref, reload, columns = {}) {
  const fileField = field({ name: 'file', label: 'import.file', type: 'file', accept: '.xlsx', required: true });
  const bar = h('progress', { max: 1, value: 0, class: 'progress', 'aria-label': t('import.progress') });
  const result = h('div', { class: 'import-result wide', 'aria-live': 'polite' });
  const form = h('form', { class: 'form-grid' },
    h('p', { class: 'wide muted' }, t('import.intro')),
    h('p', { class: 'wide' }, download(templateHref, 'import.template')),
    fileField, h('div', { class: 'field wide' }, bar), result);
  const go = button(t('import.start'), () => busy(go, async () => {
    const file = form.querySelector('input[type=file]').files[0];
    if (!file) {
      showErrors(form, { message: t('import.choose'), errors: [{ field: 'file', message: t('import.choose') }] });
      return;
    }
    clearErrors(form);
    bar.value = 0;
    mount(result, t('import.uploading'));
    try {
      const answer = await upload(path, file, (p) => { bar.value = p; }, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      bar.value = 1;
      mount(result, h('p', { class: 'ok-text' }, t('import.done', { n: answer.imported })));
      reload();
    } catch (err) {
      bar.value = 0;
      mount(result, rowErrors(err, columns));
    }
  }), 'primary');
  drawer(t('import.title'), form, [button(t('common.close'), closeDrawer), go]);
}

/** The rows an import refused: `rows[N].column` becomes a row number and a column. */
export function rowErrors(err, columns = {}) {
  const lines = (err.errors || []).map((e) => {
    const m = /^rows\[(\d+)\]\.?(.*)$/.exec(e.field || '');
    const key = m ? m[2] : e.field;
    return { row: m ? m[1] : '', column: columns[key] ? t(columns[key]) : key, message: e.message };
  });
  return h('div', { class: 'row-errors', role: 'alert' },
    h('p', { class: 'error-text' }, err.message),
    lines.length ? h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('import.row')), h('th', { scope: 'col' }, t('import.column')), h('th', { scope: 'col' }, t('import.reason')))),
      h('tbody', {}, lines.map((l) => h('tr', {}, h('td', {}, l.row), h('td', {}, l.column), h('td', {}, l.message))))) : null);
}

/** The products page. */
export async function render(root) {
  const list = listView({
    load: (p) => get('/api/v1/products', p),
    columns: [
      { label: 'product.generic_name', value: (r) => r.product.generic_name },
      { label: 'product.brand', value: (r) => r.product.brand },
      { label: 'product.registration_number', value: (r) => r.product.registration_number },
      { label: 'product.specification', value: (r) => r.product.specification },
      { label: 'product.manufacturer', value: (r) => r.product.manufacturer },
      { label: 'product.status', value: (r) => productStatus(r.status) },
      { label: 'common.updated_at', value: (r) => when(r.updated_at) },
    ],
    actions: [
      button(t('common.add'), () => edit(null, () => list.reload()), 'primary'),
      button(t('import.title'), () => importDrawer('/api/v1/products/import', '/api/v1/products/template.xlsx', () => list.reload(),
        Object.fromEntries(FIELDS.map((f) => [f.name, f.label])))),
      button(t('common.export'), () => { location.href = `/api/v1/products/export.xlsx${query(list.params())}`; }),
    ],
    rowActions: (r) => [
      button(t('common.edit'), () => edit(r, () => list.reload()), 'link'),
      button(t('common.delete'), async () => {
        if (!confirm(t('common.confirm_delete'))) return;
        try {
          await api('DELETE', `/api/v1/products/${r.product.id}`);
          toast(t('common.deleted'));
          list.reload();
        } catch (err) {
          showError(err);
        }
      }, 'link danger'),
    ],
  });
  mount(root, pageHeader('menu.products'), list.el);
}
