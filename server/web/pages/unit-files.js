// The code files of 一物一码: an inbound, outbound, retail or destroy file (SUYUAN-UNITS 1,
// chosen or pasted) audited line by line, and the packing (装箱关联) and unpacking forms.
import { api, upload } from '../api.js';
import { t } from '../i18n.js';
import {
  badge, busy, button, clearErrors, errorSummary, field, h, mount, readForm, showErrors, toast,
} from '../ui.js';
import { today } from './documents.js';
import { problemText } from './unit-view.js';

/** The header of a version-1 file of `uscc`, ready to be completed with codes. */
function headerTemplate(uscc) {
  return ['SUYUAN-UNITS 1', `enterprise=${uscc}`, 'vendor=V0001', 'type=inbound', `number=RK${today().replaceAll('-', '')}001`,
    `date=${today()}`, '# counterparty=…', '---', ''].join('\n');
}

/** The audit of an upload: totals, the batch document it was recorded as, every line. */
export function auditResult(r, again) {
  const doc = r.document;
  return h('div', { class: 'upload-result' },
    h('p', { class: r.refused ? 'error-text' : 'ok-text' },
      t(again ? 'unit.upload_again' : 'unit.upload_done', { number: r.number, accepted: r.accepted, refused: r.refused })),
    h('p', {}, t('unit.upload_kind'), ' ', t(`unit.kind.${r.kind}`), ' · ',
      doc ? t(doc.derived ? 'unit.document_derived' : 'unit.document_linked', { number: doc.number }) : t('unit.document_none')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'list audit' },
      h('caption', {}, t('unit.audit')),
      h('thead', {}, h('tr', {}, ['unit.line', 'unit.code', 'unit.accepted', 'unit.moved', 'unit.reason', 'unit.suspicious']
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, r.lines.map((l) => h('tr', { class: l.accepted ? '' : 'refused' },
        h('td', { dataset: { label: t('unit.line') } }, l.line),
        h('td', { dataset: { label: t('unit.code') }, class: 'code' }, l.code),
        h('td', { dataset: { label: t('unit.accepted') } }, l.accepted ? badge(t('common.yes'), 'ok') : badge(t('common.no'), 'danger')),
        h('td', { dataset: { label: t('unit.moved') } }, l.moved),
        h('td', { dataset: { label: t('unit.reason') } }, problemText(l.problem) || '—'),
        h('td', { dataset: { label: t('unit.suspicious') } }, l.suspicious ? badge(t('unit.suspicious_yes'), 'danger') : '—')))))));
}

/** The upload form: a file chosen or its text pasted. */
export function uploadForm(me) {
  const result = h('div', { class: 'wide', 'aria-live': 'polite' });
  const fileField = field({ name: 'file', label: 'unit.upload_file', type: 'file', accept: '.txt,.csv,text/plain', hint: 'unit.upload_file_hint' });
  fileField.dataset.skip = '1';
  const bar = h('progress', { max: 1, value: 0, class: 'progress', 'aria-label': t('import.progress') });
  const form = h('form', { class: 'form-grid card', novalidate: true },
    h('h2', { class: 'wide' }, t('unit.upload_title')),
    h('p', { class: 'wide muted' }, t('unit.upload_intro')),
    errorSummary(),
    fileField,
    field({ name: 'text', label: 'unit.upload_text', type: 'textarea', wide: true, hint: 'unit.upload_text_hint' }),
    h('div', { class: 'field wide' }, bar),
    h('div', { class: 'wide form-actions' },
      button(t('unit.insert_header'), () => {
        const area = form.querySelector('[name=text]');
        if (!area.value.trim()) area.value = headerTemplate(me.enterprise ? me.enterprise.uscc : '');
        area.focus();
      }),
      h('button', { type: 'submit', class: 'primary' }, t('unit.upload_start'))),
    result);
  form.querySelector('[name=text]').rows = 10;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const go = form.querySelector('button[type=submit]');
    busy(go, async () => {
      clearErrors(form);
      mount(result);
      const chosen = form.querySelector('input[type=file]').files[0];
      const text = readForm(form).text;
      if (!chosen && !text) {
        showErrors(form, { message: t('unit.upload_choose'), errors: [{ field: 'text', message: t('unit.upload_choose') }] });
        return;
      }
      const body = chosen || new Blob([text], { type: 'text/plain' });
      bar.value = 0;
      try {
        const answer = await upload('/api/v1/unit-codes/uploads', body, (p) => { bar.value = p; }, 'text/plain; charset=utf-8', { withStatus: true });
        bar.value = 1;
        // 200: the same file again, answered with its first audit (nothing moved now).
        mount(result, auditResult(answer.data, answer.status === 200));
        toast(t('unit.uploaded'));
      } catch (err) {
        bar.value = 0;
        showErrors(form, err);
      }
    });
  });
  return form;
}

/** The codes typed or scanned one a line (blank lines dropped). */
function codeLines(text) {
  return (text || '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

/** Puts pack problems of `children[i]` under the children field as "line i+1 code: reason". */
function packErrors(form, err, children) {
  const mapped = (err.errors || []).map((e) => {
    const m = /^children\[(\d+)\]$/.exec(e.field || '');
    if (!m) return e;
    const i = Number(m[1]);
    return { ...e, field: 'children', message: t('unit.child_problem', { n: i + 1, code: children[i] || '', reason: e.message }) };
  });
  showErrors(form, { message: err.message, errors: mapped });
  // One reason a line reads better than one run-on sentence.
  const slot = form.querySelector('[data-field=children] > .err');
  const lines = mapped.filter((e) => e.field === 'children').map((e) => e.message);
  if (lines.length) mount(slot, h('ul', { class: 'problem-list' }, lines.map((l) => h('li', {}, l))));
}

/** The packing form (parent code and the scanned children) and the unpacking form. */
export function packForms() {
  const packed = h('div', { class: 'wide', 'aria-live': 'polite' });
  const pack = h('form', { class: 'form-grid card', novalidate: true },
    h('h2', { class: 'wide' }, t('unit.pack_title')),
    h('p', { class: 'wide muted' }, t('unit.pack_intro')),
    errorSummary(),
    field({ name: 'parent', label: 'unit.parent_code', required: true, wide: true }),
    field({ name: 'children', label: 'unit.children_codes', type: 'textarea', required: true, wide: true, hint: 'unit.one_per_line' }),
    h('div', { class: 'wide form-actions' }, h('button', { type: 'submit', class: 'primary' }, t('unit.pack'))),
    packed);
  pack.querySelector('[name=children]').rows = 6;
  pack.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(pack.querySelector('button[type=submit]'), async () => {
      clearErrors(pack);
      mount(packed);
      const v = readForm(pack);
      const children = codeLines(v.children);
      try {
        await api('POST', '/api/v1/unit-codes/pack', { parent: v.parent, children });
        mount(packed, h('p', { class: 'ok-text' }, t('unit.packed', { n: children.length, parent: v.parent })));
        toast(t('unit.packed', { n: children.length, parent: v.parent }));
      } catch (err) {
        packErrors(pack, err, children);
      }
    });
  });

  const freed = h('div', { class: 'wide', 'aria-live': 'polite' });
  const unpack = h('form', { class: 'form-grid card', novalidate: true },
    h('h2', { class: 'wide' }, t('unit.unpack_title')),
    errorSummary(),
    field({ name: 'parent', label: 'unit.parent_code', required: true, wide: true }),
    h('div', { class: 'wide form-actions' }, h('button', { type: 'submit', class: 'primary' }, t('unit.unpack'))),
    freed);
  unpack.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(unpack.querySelector('button[type=submit]'), async () => {
      clearErrors(unpack);
      mount(freed);
      try {
        const codes = await api('POST', '/api/v1/unit-codes/unpack', { parent: readForm(unpack).parent });
        mount(freed, h('p', { class: 'ok-text' }, t('unit.unpacked', { n: codes.length })),
          h('ul', { class: 'code-list' }, codes.map((c) => h('li', { class: 'code' }, c))));
      } catch (err) {
        showErrors(unpack, err);
      }
    });
  });
  return h('div', { class: 'unit-forms' }, pack, unpack);
}
