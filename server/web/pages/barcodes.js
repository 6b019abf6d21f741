// 产品条形码库: barcodes by product and packaging level. A photo of the pack is sent to the
// server's decoder, which fills the GTIN (and what the library already knows of it); the photo
// is kept as the barcode's picture when the record is saved.
import { api, get, upload } from '../api.js';
import { t } from '../i18n.js';
import {
  busy, button, clearErrors, closeDrawer, drawer, errorSummary, field, fillForm, h, listView,
  mount, pageHeader, readForm, showError, showErrors, statusBadge, toast, when,
} from '../ui.js';

const LEVELS = ['unit', 'box', 'case', 'pallet'];

/** Products as select options [id, name · specification, product]: the caller's own by name,
 *  or (`owner = 'all'`) a window of the shared library, narrowed by a keyword. */
export async function productOptions(owner = 'me', q = '') {
  const params = owner === 'me' ? { owner, per_page: 500, sort: 'generic_name' } : { owner, q, per_page: 100 };
  const page = await get('/api/v1/products', params);
  return page.items.map((r) => [r.product.id, `${r.product.generic_name} · ${r.product.specification}`, r.product]);
}

/** Products as options [id, name · registration number]: the caller's own (all of them, by
 *  name) or a window of the shared library narrowed by `q`. */
export async function namedProducts(owner, q = '') {
  const params = owner === 'me' ? { owner, per_page: 500, sort: 'generic_name' } : { owner, q, per_page: 100 };
  const page = await get('/api/v1/products', params);
  return page.items.map((x) => [x.product.id, `${x.product.generic_name} · ${x.product.registration_number}`]);
}

/** A labelled search box that refills `select` with the library's products matching what is
 *  typed, keeping the current choice. */
export function librarySearch(select) {
  const id = `lib-${Math.random().toString(36).slice(2, 8)}`;
  const input = h('input', { type: 'search', id, placeholder: t('line.search_placeholder') });
  let timer = null;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const keep = select.value;
        const options = await namedProducts('all', input.value.trim());
        mount(select, h('option', { value: '' }, t('common.choose')), options.map(([v, l]) => h('option', { value: v }, l)));
        if (keep && options.some(([v]) => v === keep)) select.value = keep;
      } catch (err) {
        showError(err);
      }
    }, 250);
  });
  return h('div', { class: 'field', dataset: { skip: '1' } }, h('label', { for: id }, t('line.search')), input);
}

async function edit(row, reload) {
  const barcode = row ? row.barcode : null;
  let products;
  try {
    products = await productOptions();
  } catch (err) {
    showError(err);
    return;
  }
  let photo = barcode ? barcode.photo : null;
  let photoFile = null;
  const status = h('div', { class: 'hint', 'aria-live': 'polite' });
  const photoInput = field({ name: 'photo_file', label: 'barcode.photo', type: 'file', accept: 'image/png,image/jpeg,image/webp', hint: 'barcode.photo_hint' });
  photoInput.dataset.skip = '1';
  const form = h('form', { class: 'form-grid', novalidate: true }, errorSummary(),
    photoInput, h('div', { class: 'field wide' }, status),
    field({ name: 'product_id', label: 'barcode.product', type: 'select', required: true, options: products.map(([v, l]) => [v, l]), raw: true, wide: true }),
    field({ name: 'gtin', label: 'barcode.gtin', required: true, hint: 'barcode.gtin_hint' }),
    field({ name: 'level', label: 'barcode.level', type: 'select', required: true, blank: false, options: LEVELS.map((l) => [l, `barcode.level.${l}`]) }),
    field({ name: 'specification', label: 'barcode.specification', required: true }),
    field({ name: 'package_specification', label: 'barcode.package_specification', required: true }),
    field({ name: 'contains_quantity', label: 'barcode.contains_quantity', type: 'number', min: 1, value: 1, required: true }),
    field({ name: 'contains_gtin', label: 'barcode.contains_gtin', nullable: true }));
  if (barcode) fillForm(form, barcode);
  const fileEl = photoInput.querySelector('input');
  fileEl.addEventListener('change', async () => {
    photoFile = fileEl.files[0] || null;
    if (!photoFile) return;
    mount(status, t('barcode.reading'));
    try {
      const found = await api('POST', '/api/v1/barcodes/recognize', photoFile);
      if (!found.draft) {
        mount(status, t('barcode.none_found'));
        return;
      }
      const d = found.draft;
      form.querySelector('[name=gtin]').value = d.gtin;
      if (d.product_id && products.some(([id]) => id === d.product_id)) form.querySelector('[name=product_id]').value = d.product_id;
      const product = products.find(([id]) => id === form.querySelector('[name=product_id]').value);
      const spec = form.querySelector('[name=specification]');
      if (!spec.value) spec.value = d.specification || (product ? product[2].specification : '');
      const pack = form.querySelector('[name=package_specification]');
      if (!pack.value && d.package_specification) pack.value = d.package_specification;
      form.querySelector('[name=level]').value = d.level;
      form.querySelector('[name=contains_quantity]').value = d.contains_quantity;
      mount(status, t('barcode.read', { gtin: d.gtin, n: found.matches.length }));
    } catch (err) {
      mount(status, err.message);
      showErrors(form, { message: err.message, errors: err.errors.map((e) => ({ ...e, field: 'photo_file' })) });
    }
  });
  form.querySelector('[name=product_id]').addEventListener('change', (e) => {
    const product = products.find(([id]) => id === e.target.value);
    const spec = form.querySelector('[name=specification]');
    if (product && !spec.value) spec.value = product[2].specification;
  });
  const save = button(t('common.save'), () => busy(save, async () => {
    clearErrors(form);
    try {
      if (photoFile) {
        photo = await upload(`/api/v1/attachments?kind=photo&file_name=${encodeURIComponent(photoFile.name)}`, photoFile);
        photoFile = null;
      }
      const body = { ...readForm(form), photo };
      if (barcode) await api('PUT', `/api/v1/barcodes/${barcode.id}`, body);
      else await api('POST', '/api/v1/barcodes', body);
      toast(t('common.saved'));
      closeDrawer();
      reload();
    } catch (err) {
      showErrors(form, err);
    }
  }), 'primary');
  drawer(t(barcode ? 'barcode.edit' : 'barcode.add'), form, [button(t('common.cancel'), closeDrawer), save]);
}

/** The barcodes page. */
export async function render(root) {
  const list = listView({
    load: (p) => get('/api/v1/barcodes', p),
    columns: [
      { label: 'barcode.gtin', value: (r) => r.barcode.gtin },
      { label: 'barcode.level', value: (r) => t(`barcode.level.${r.barcode.level}`) },
      { label: 'barcode.specification', value: (r) => r.barcode.specification },
      { label: 'barcode.package_specification', value: (r) => r.barcode.package_specification },
      { label: 'barcode.contains_quantity', value: (r) => r.barcode.contains_quantity },
      { label: 'common.status', value: (r) => statusBadge(r.barcode.status) },
      { label: 'common.updated_at', value: (r) => when(r.updated_at) },
    ],
    actions: [button(t('common.add'), () => edit(null, () => list.reload()), 'primary')],
    rowActions: (r) => [
      button(t('common.edit'), () => edit(r, () => list.reload()), 'link'),
      button(t('common.delete'), async () => {
        if (!confirm(t('common.confirm_delete'))) return;
        try {
          await api('DELETE', `/api/v1/barcodes/${r.barcode.id}`);
          list.reload();
        } catch (err) {
          showError(err);
        }
      }, 'link danger'),
    ],
  });
  mount(root, pageHeader('menu.barcodes'), list.el);
}
