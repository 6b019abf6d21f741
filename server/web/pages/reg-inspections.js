// 现场检查 for regulators: the region's inspection records (made on the phone or entered at the
// desk) with filters and a detail drawer, and the desk entry form — the enterprise visited,
// the day, inspectors, findings, each product looked at with its check and outcome, photos.
import { api, get, upload } from '../api.js';
import { lang, t } from '../i18n.js';
import {
  badge, busy, button, clearErrors, closeDrawer, drawer, errorSummary, field, h, listView, mount,
  pageHeader, readForm, showError, showErrors, toast, when,
} from '../ui.js';
import { today } from './documents.js';
import { regionEnterprises } from './reg-warnings.js';

const OUTCOMES = ['pass', 'unknown', 'fail'];
const CHECKS = ['registration', 'recall', 'nonconforming', 'expiry', 'records'];

/** An outcome (`pass`, `unknown`, `fail`, or `none` for a visit without items) as a badge. */
export function outcomeBadge(o) {
  return badge(t(`insp.outcome.${o}`), { pass: 'ok', unknown: 'warn', fail: 'danger', none: 'muted' }[o]);
}

/** The list columns both sides share; `name(id)` names the enterprise. */
export function inspectionColumns(name) {
  return [
    { label: 'insp.date', value: (r) => r.inspection.date },
    name ? { label: 'insp.enterprise', value: (r) => name(r.inspection.enterprise_id) } : null,
    { label: 'insp.inspectors', value: (r) => r.inspection.inspectors.join('、') || r.inspector_name },
    { label: 'insp.findings', value: (r) => r.inspection.findings },
    { label: 'insp.items', value: (r) => r.inspection.items.length },
    { label: 'insp.overall', value: (r) => outcomeBadge(r.overall) },
  ].filter(Boolean);
}

/** One inspection: facts, the products looked at with their checks, photos. `photoHref(id)`
 *  is where a photo is read (the regulator's and the enterprise's routes differ). */
export function inspectionBody(row, enterpriseName, photoHref) {
  const i = row.inspection;
  const msg = (c) => (lang() === 'en' ? c.message_en : c.message_zh);
  return h('div', {},
    h('dl', { class: 'facts' },
      h('dt', {}, t('insp.enterprise')), h('dd', {}, enterpriseName),
      h('dt', {}, t('insp.date')), h('dd', {}, i.date),
      h('dt', {}, t('insp.inspectors')), h('dd', {}, i.inspectors.join('、') || '—'),
      h('dt', {}, t('insp.recorded_by')), h('dd', {}, `${row.inspector_name} · ${when(row.created_at)}`),
      h('dt', {}, t('insp.overall')), h('dd', {}, outcomeBadge(row.overall))),
    h('h3', {}, t('insp.findings')),
    h('p', { class: 'findings' }, i.findings),
    h('h3', {}, t('insp.items_title', { n: i.items.length })),
    i.items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, ['insp.code', 'line.product', 'line.batch', 'insp.checks', 'insp.overall', 'insp.note'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, i.items.map((it) => h('tr', {},
        h('td', { dataset: { label: t('insp.code') }, class: 'code' }, it.code),
        h('td', { dataset: { label: t('line.product') } }, it.product_name || '—'),
        h('td', { dataset: { label: t('line.batch') } }, it.batch || '—'),
        h('td', { dataset: { label: t('insp.checks') } }, it.verdict.checks.length
          ? h('ul', { class: 'problem-list' }, it.verdict.checks.map((c) => h('li', {}, `${t(`insp.check.${c.item}`)}：${t(`insp.outcome.${c.outcome}`)}${msg(c) ? ` · ${msg(c)}` : ''}`)))
          : '—'),
        h('td', { dataset: { label: t('insp.overall') } }, outcomeBadge(it.verdict.overall)),
        h('td', { dataset: { label: t('insp.note') } }, it.note || '—')))))) : h('p', { class: 'muted' }, t('insp.no_items')),
    h('h3', {}, t('insp.photos', { n: i.photos.length })),
    i.photos.length ? h('div', { class: 'photos' }, i.photos.map((p) => h('a', { href: photoHref(p), target: '_blank', rel: 'noopener' },
      h('img', { src: photoHref(p), alt: t('insp.photo_alt'), loading: 'lazy' })))) : h('p', { class: 'muted' }, t('insp.no_photos')));
}

async function detail(id, name) {
  try {
    const row = await get(`/api/v1/regulator/inspections/${id}`);
    drawer(`${t('insp.detail')} · ${name(row.inspection.enterprise_id)}`,
      inspectionBody(row, name(row.inspection.enterprise_id), (p) => `/api/v1/regulator/inspections/photos/${p}`),
      [button(t('common.close'), closeDrawer)]);
  } catch (err) {
    showError(err);
  }
}

/** Numbers the product rows after an add or a removal: each row's fields say which row they
 *  are in, so a screen reader (and a server error `items[2].code`) finds the right one. */
function renumber(body) {
  [...body.children].forEach((tr, i) => {
    tr.dataset.line = String(i);
    for (const lab of tr.querySelectorAll('label')) lab.textContent = `${t('line.row', { n: i + 1 })} ${lab.dataset.text}`;
  });
}

/** One product row of the desk entry. */
function itemRow(body) {
  const cell = (key, spec) => {
    const f = field({ ...spec, label: key });
    const lab = f.querySelector('label');
    lab.dataset.text = t(key);
    lab.classList.add('sr-only');
    return h('td', { dataset: { label: t(key) } }, f);
  };
  const row = h('tr', {},
    cell('insp.code', { name: 'code', required: true }),
    cell('line.batch', { name: 'batch', nullable: true }),
    cell('insp.check', { name: 'check', type: 'select', blank: false, options: CHECKS.map((c) => [c, `insp.check.${c}`]) }),
    cell('insp.outcome', { name: 'outcome', type: 'select', blank: false, options: OUTCOMES.map((o) => [o, `insp.outcome.${o}`]) }),
    cell('insp.note', { name: 'note' }),
    h('td', {}, button(t('line.remove'), () => { row.remove(); renumber(body); }, 'link danger')));
  body.append(row);
  renumber(body);
}

/** The item rows as the API takes them; one check a row makes the verdict. */
function readItems(body) {
  return [...body.children].map((tr) => {
    const v = readForm(tr);
    return {
      code: v.code,
      batch: v.batch,
      note: v.note,
      verdict: { overall: v.outcome, checks: [{ item: v.check, outcome: v.outcome, message_zh: '', message_en: '' }] },
    };
  });
}

/** Server fields `items[2].verdict.overall` → the row's outcome, `inspectors[0]` → inspectors. */
function formErrors(err) {
  return {
    message: err.message,
    errors: (err.errors || []).map((e) => {
      const m = /^items\[(\d+)\]\.(\w+)/.exec(e.field || '');
      if (m) return { ...e, field: `lines[${m[1]}].${m[2] === 'verdict' ? 'outcome' : m[2]}` };
      if (/^inspectors\[/.test(e.field || '')) return { ...e, field: 'inspectors' };
      if (/^photos/.test(e.field || '')) return { ...e, field: 'photos' };
      return e;
    }),
  };
}

async function record(reload, enterprises) {
  const body = h('tbody', {});
  const photos = field({ name: 'photos', label: 'insp.photo_files', type: 'file', accept: 'image/png,image/jpeg,image/webp', hint: 'insp.photo_hint', wide: true });
  photos.dataset.skip = '1';
  photos.querySelector('input').multiple = true;
  const form = h('form', { class: 'form-grid', novalidate: true }, errorSummary(),
    field({ name: 'enterprise_id', label: 'insp.enterprise', type: 'select', required: true, nullable: true, options: enterprises, raw: true }),
    field({ name: 'date', label: 'insp.date', type: 'date', required: true, value: today() }),
    field({ name: 'inspectors', label: 'insp.inspectors', type: 'textarea', wide: true, hint: 'insp.inspectors_hint' }),
    field({ name: 'findings', label: 'insp.findings', type: 'textarea', required: true, wide: true }),
    h('div', { class: 'wide lines-wrap', dataset: { skip: '1' } },
      h('div', { class: 'table-wrap' }, h('table', { class: 'lines' },
        h('caption', {}, t('insp.items_entry')),
        h('thead', {}, h('tr', {}, ['insp.code', 'line.batch', 'insp.check', 'insp.outcome', 'insp.note', 'common.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
        body)),
      button(t('insp.add_item'), () => itemRow(body))),
    photos);
  const go = button(t('insp.save'), () => busy(go, async () => {
    clearErrors(form);
    const head = readForm(form);
    const payload = {
      enterprise_id: head.enterprise_id,
      date: head.date,
      findings: head.findings,
      inspectors: (head.inspectors || '').split(/[\n,，、]/).map((s) => s.trim()).filter(Boolean),
      items: readItems(body),
      photos: [],
    };
    try {
      for (const file of photos.querySelector('input').files) {
        const photo = await upload(`/api/v1/regulator/inspections/photos?file_name=${encodeURIComponent(file.name)}`, file);
        payload.photos.push(photo.id);
      }
      await api('POST', '/api/v1/regulator/inspections', payload);
      toast(t('insp.saved'));
      closeDrawer();
      reload();
    } catch (err) {
      showErrors(form, formErrors(err));
    }
  }), 'primary');
  drawer(t('insp.record'), form, [button(t('common.cancel'), closeDrawer), go]);
}

/** The regulator's inspections page. */
export async function render(root) {
  let enterprises = [];
  try {
    enterprises = await regionEnterprises();
  } catch (err) {
    showError(err);
  }
  const names = new Map(enterprises);
  const name = (id) => names.get(id) || id.slice(0, 8);
  const list = listView({
    load: (p) => get('/api/v1/regulator/inspections', p),
    filters: [
      { name: 'enterprise_id', label: 'insp.enterprise', type: 'select', options: enterprises, raw: true, blankLabel: t('common.all') },
      { name: 'overall', label: 'insp.overall', type: 'select', options: [...OUTCOMES, 'none'].map((o) => [o, `insp.outcome.${o}`]), blankLabel: t('common.all') },
      { name: 'date_from', label: 'common.date_from', type: 'date' },
      { name: 'date_to', label: 'common.date_to', type: 'date' },
    ],
    columns: inspectionColumns(name),
    actions: [button(t('insp.record'), () => record(() => list.reload(), enterprises), 'primary')],
    rowActions: (r) => [button(t('common.view'), () => detail(r.inspection.id, name), 'link')],
    empty: 'insp.empty',
  });
  mount(root, pageHeader('menu.inspections', h('p', { class: 'muted' }, t('insp.intro'))), list.el);
}
