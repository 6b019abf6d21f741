// Building blocks every page shares: elements without innerHTML (so no record text is ever
// parsed as markup), labelled form fields with inline errors, the drawer, toasts, and the
// list with keyword search and pagination.
import { t } from './i18n.js';

/** An element: `h('button', {class: 'primary', onclick}, 'text', child)`. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A short message in the corner; `kind` is `ok` or `error`. */
export function toast(message, kind = 'ok') {
  const box = document.getElementById('toasts');
  const item = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(item);
  // A burst of actions keeps only the latest few messages on screen.
  while (box.children.length > 3) box.firstChild.remove();
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

/** Shows an error that no form field owns. */
export function showError(err) {
  const extra = (err.errors || []).map((e) => e.message).join('；');
  toast(extra ? `${err.message}：${extra}` : err.message, 'error');
}

let fieldSeq = 0;

/**
 * A labelled input. `spec`: {name, label (key), type: text|number|date|select|textarea|checkbox,
 * required, options: [[value, labelKey]], value, readonly, placeholder, hint}.
 */
export function field(spec) {
  const id = `f${++fieldSeq}-${spec.name.replace(/[^a-z0-9]/gi, '_')}`;
  const common = { id, name: spec.name, 'aria-describedby': `${id}-err`, disabled: spec.readonly || undefined };
  let input;
  if (spec.type === 'select') {
    input = h('select', common,
      spec.blank !== false ? h('option', { value: '' }, spec.blankLabel || t('common.choose')) : null,
      (spec.options || []).map(([v, label]) => h('option', { value: v }, spec.raw ? label : t(label))));
  } else if (spec.type === 'textarea') {
    input = h('textarea', { ...common, rows: 3 });
  } else {
    input = h('input', { ...common, type: spec.type || 'text', placeholder: spec.placeholder, min: spec.min, step: spec.step, accept: spec.accept, autocomplete: spec.autocomplete || 'off' });
  }
  if (spec.required) input.required = true;
  if (spec.value !== undefined && spec.value !== null) input.value = spec.value;
  if (spec.type === 'number') input.dataset.kind = 'number';
  if (spec.nullable) input.dataset.nullable = '1';
  return h('div', { class: `field${spec.wide ? ' wide' : ''}`, dataset: { field: spec.name } },
    h('label', { for: id }, spec.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, '*') : null, t(spec.label)),
    input,
    spec.hint ? h('div', { class: 'hint' }, t(spec.hint)) : null,
    h('div', { class: 'err', id: `${id}-err` }));
}

/** Sets `obj.a.b = v` for the name `a.b`. */
function setPath(obj, name, value) {
  const parts = name.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p] ??= {};
  o[parts.at(-1)] = value;
}

/** Reads `obj.a.b` for the name `a.b`. */
export function getPath(obj, name) {
  return name.split('.').reduce((o, p) => (o == null ? undefined : o[p]), obj);
}

/** The values of a form's named inputs as an object; dotted names nest, empty optional ones are null. */
export function readForm(root) {
  const out = {};
  for (const el of root.querySelectorAll('[name]')) {
    // Parts marked data-skip (a sub-table, a file picker) are read by their owners.
    const skip = el.closest('[data-skip]');
    if (skip && skip !== root && root.contains(skip)) continue;
    let v = el.type === 'checkbox' ? el.checked : el.value.trim();
    if (el.dataset.kind === 'number') v = v === '' ? null : Number(v);
    else if (v === '' && (el.type === 'date' || el.dataset.nullable)) v = null;
    setPath(out, el.name, v);
  }
  return out;
}

/** Fills a form's named inputs from a record. */
export function fillForm(root, record) {
  for (const el of root.querySelectorAll('[name]')) {
    const v = getPath(record, el.name);
    if (v === undefined || v === null) continue;
    if (el.type === 'checkbox') el.checked = !!v;
    else el.value = String(v);
  }
}

/** Disables every input of a form (a submitted record reads only). */
export function lockForm(root) {
  for (const el of root.querySelectorAll('input, select, textarea')) el.disabled = true;
}

/** Clears the inline errors of a form. */
export function clearErrors(root) {
  for (const el of root.querySelectorAll('.err')) el.textContent = '';
  for (const el of root.querySelectorAll('.invalid')) el.classList.remove('invalid');
  root.querySelector('.form-errors')?.replaceChildren();
}

/**
 * Puts each server error under its field (`lines[2].batch` finds the field named `batch`
 * in line row 2); errors no field owns go to the form's summary. Returns how many were shown.
 */
export function showErrors(root, err) {
  clearErrors(root);
  const orphans = [];
  for (const e of err.errors || []) {
    const line = /^lines\[(\d+)\]\.(.+)$/.exec(e.field);
    let box = null;
    if (line) {
      box = root.querySelector(`[data-line="${line[1]}"] [data-field="${CSS.escape(line[2])}"]`);
    } else {
      box = root.querySelector(`[data-field="${CSS.escape(e.field)}"]`);
    }
    if (box) {
      box.classList.add('invalid');
      const slot = box.querySelector(':scope > .err');
      slot.textContent = slot.textContent ? `${slot.textContent}；${e.message}` : e.message;
    } else {
      orphans.push(e);
    }
  }
  const summary = root.querySelector('.form-errors');
  if (summary) {
    mount(summary, h('p', {}, err.message), orphans.length ? h('ul', {}, orphans.map((e) => h('li', {}, e.field ? `${e.field}: ${e.message}` : e.message))) : null);
  } else if (orphans.length || !(err.errors || []).length) {
    showError({ message: err.message, errors: orphans });
  }
  root.querySelector('.invalid input, .invalid select, .invalid textarea')?.focus();
  return (err.errors || []).length;
}

/** The form's error summary slot (role=alert so screen readers announce it). */
export function errorSummary() {
  return h('div', { class: 'form-errors', role: 'alert' });
}

let openDrawer = null;

/** Opens the side drawer with a title, a body and footer buttons; returns {el, close}. */
export function drawer(title, body, actions = []) {
  closeDrawer();
  const close = () => closeDrawer();
  const panel = h('aside', { class: 'drawer', role: 'dialog', 'aria-modal': 'true', 'aria-label': title },
    h('header', {}, h('h2', {}, title), h('button', { class: 'icon', type: 'button', 'aria-label': t('common.close'), onclick: close }, '×')),
    h('div', { class: 'drawer-body' }, body),
    actions.length ? h('footer', {}, actions) : null);
  const shade = h('div', { class: 'shade', onclick: close });
  document.body.append(shade, panel);
  openDrawer = { panel, shade };
  panel.querySelector('input:not([disabled]), select:not([disabled]), textarea:not([disabled])')?.focus();
  return { el: panel, close };
}

/** Closes the drawer, if one is open. */
export function closeDrawer() {
  if (!openDrawer) return;
  openDrawer.panel.remove();
  openDrawer.shade.remove();
  openDrawer = null;
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') closeDrawer();
});

/** A button. */
export function button(label, onclick, kind = '', attrs = {}) {
  return h('button', { type: 'button', class: kind, onclick, ...attrs }, label);
}

/** Runs `fn` with the button disabled, so a double click does not send twice. */
export async function busy(btn, fn) {
  btn.disabled = true;
  try {
    return await fn();
  } finally {
    btn.disabled = false;
  }
}

/** A status badge. */
export function badge(text, kind = '') {
  return h('span', { class: `badge ${kind}` }, text);
}

/** The draft/submitted badge of a record status. */
export function statusBadge(status) {
  const submitted = status && status.state === 'submitted';
  return badge(t(submitted ? 'status.submitted' : 'status.draft'), submitted ? 'ok' : 'muted');
}

/** A date-time as the user reads it. */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/**
 * A list page: toolbar (keyword search, filters, actions), a table and pagination.
 * `opts`: {columns: [{label, value(row) → node|text}], load(params) → Promise<Page>,
 * filters: [field specs], actions: [buttons], rowActions(row) → [buttons], perPage, empty,
 * search: false for a list the server does not search by keyword}.
 * Returns {el, reload, params}.
 */
export function listView(opts) {
  const state = { page: 1, q: '', filters: {} };
  const perPage = opts.perPage || 20;
  const search = h('input', { type: 'search', id: `q${++fieldSeq}`, placeholder: t('common.search_placeholder'), name: 'q' });
  const filterBox = h('div', { class: 'filters' }, (opts.filters || []).map((f) => field({ ...f })));
  const form = h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => { e.preventDefault(); state.page = 1; load(); } },
    opts.search === false ? null : h('div', { class: 'field' }, h('label', { for: search.id }, t('common.keyword')), search),
    filterBox,
    // A list with nothing to search by can still be read again.
    h('div', { class: 'toolbar-buttons' }, h('button', { type: 'submit', class: 'primary' },
      t(opts.search === false && !(opts.filters || []).length ? 'common.refresh' : 'common.search')), opts.actions || []));
  const table = h('table', { class: 'list' });
  const pager = h('nav', { class: 'pager', 'aria-label': t('common.pages') });
  const el = h('section', { class: 'list-view' }, form, h('div', { class: 'table-wrap' }, table), pager);

  async function load() {
    state.q = search.value.trim();
    state.filters = readForm(filterBox);
    let page;
    try {
      page = await opts.load({ q: state.q, page: state.page, per_page: perPage, ...state.filters });
    } catch (err) {
      showError(err);
      return;
    }
    const head = h('thead', {}, h('tr', {}, opts.columns.map((c) => h('th', { scope: 'col' }, t(c.label))), opts.rowActions ? h('th', { scope: 'col' }, t('common.actions')) : null));
    const rows = page.items.map((row) => h('tr', {},
      opts.columns.map((c) => h('td', { dataset: { label: t(c.label) } }, c.value(row))),
      opts.rowActions ? h('td', { class: 'row-actions' }, opts.rowActions(row)) : null));
    const body = h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: opts.columns.length + 1, class: 'empty' }, t(opts.empty || 'common.empty'))));
    mount(table, head, body);
    const pages = Math.max(1, Math.ceil(page.total / perPage));
    mount(pager,
      h('span', {}, t('common.total', { total: page.total, page: state.page, pages })),
      button(t('common.prev'), () => { state.page -= 1; load(); }, '', { disabled: state.page <= 1 }),
      button(t('common.next'), () => { state.page += 1; load(); }, '', { disabled: state.page >= pages }));
  }
  load();
  /** The keyword and filters as last searched, for an export of the same list. */
  const params = () => ({ q: state.q, ...state.filters });
  return { el, reload: load, params };
}

/** The page's heading and an optional line under it. */
export function pageHeader(titleKey, ...extra) {
  return h('div', { class: 'page-header' }, h('h1', {}, t(titleKey)), extra);
}

/** A link that downloads a file the server makes (template, export). */
export function download(href, labelKey) {
  return h('a', { class: 'button', href, download: '' }, t(labelKey));
}
