// A serialized unit code (一物一码) as the platform knows it: product, batch, where it is now,
// what is packed in it, and its history as a timeline. Shared by the enterprise's code lookup,
// the regulator's trace by unit code and the counterfeit-signal list.
import { lang, t } from '../i18n.js';
import { badge, button, h, when } from '../ui.js';

/** The packaging levels a code can mark. */
export const UNIT_LEVELS = ['unit', 'box', 'case', 'pallet'];

/** The refusal rules an upload line or a counterfeit signal may carry. */
export const UNIT_RULES = ['never_issued', 'issued_to_another', 'already_applied', 'already_received', 'not_shipped_here',
  'not_held', 'already_shipped', 'shipped_to_self', 'ended'];

/** A rule code (`unit.not_held`) in words, or the code itself when the dictionary lacks it. */
export function ruleText(rule) {
  const name = (rule || '').replace(/^unit\./, '');
  return UNIT_RULES.includes(name) ? t(`unit.rule.${name}`) : rule;
}

/** A problem's message in the page's language (upload lines carry both). */
export function problemText(p) {
  if (!p) return '';
  return (lang() === 'en' ? p.message_en : p.message_zh) || p.message || p.rule;
}

/** Enterprise names by id, from the events that name them. */
function namesOf(view) {
  const names = new Map();
  for (const e of view.history || []) names.set(e.enterprise_id, e.enterprise_name);
  return names;
}

/** Where a unit is, in words: "在库 · 兰州美源…". `names` maps enterprise ids to names. */
export function stateText(state, names) {
  if (!state) return '—';
  const who = (id) => (id ? names.get(id) || id.slice(0, 8) : '');
  const s = state.state;
  let where = '';
  if (s === 'in_transit') where = `${who(state.from)} → ${who(state.to)}`;
  else where = who(state.to || state.by || state.at);
  const kind = { in_stock: 'ok', in_transit: 'warn', sold: 'muted', destroyed: 'danger', recalled: 'danger', lost: 'danger' }[s] || '';
  return h('span', {}, badge(t(`unit.state.${s}`), kind), where ? ` ${where}` : '');
}

/** The history of a code, oldest first, as a timeline. */
export function unitHistory(view) {
  const names = namesOf(view);
  if (!view.history || !view.history.length) return h('p', { class: 'muted' }, t('unit.no_history'));
  return h('ol', { class: 'timeline', 'aria-label': t('unit.history') }, view.history.map((e) => h('li', {},
    h('span', { class: 'timeline-when' }, when(e.at)),
    h('strong', {}, t(`unit.action.${e.action}`)), ' · ', e.enterprise_name,
    e.document_number ? h('span', { class: 'muted' }, ` · ${t('unit.document')} ${e.document_number}`) : null,
    ' · ', stateText(e.state, names))));
}

/** A code's facts, contents and history. `open(code)` looks up a code it links to. */
export function unitCard(view, open) {
  const names = namesOf(view);
  const codeLink = (c) => (open ? button(c, () => open(c), 'link code') : h('span', { class: 'code' }, c));
  return h('section', { class: 'card unit-card' },
    h('dl', { class: 'facts' },
      h('dt', {}, t('unit.code')), h('dd', { class: 'code' }, view.code),
      h('dt', {}, t('unit.level')), h('dd', {}, t(`barcode.level.${view.level}`)),
      h('dt', {}, t('unit.product')), h('dd', {}, view.product_name),
      h('dt', {}, t('unit.batch')), h('dd', {}, view.batch),
      h('dt', {}, t('unit.state')), h('dd', {}, stateText(view.state, names)),
      h('dt', {}, t('unit.parent')), h('dd', {}, view.parent ? codeLink(view.parent) : '—'),
      h('dt', {}, t('unit.units_inside')), h('dd', {}, view.units_inside)),
    view.children && view.children.length ? [
      h('h3', {}, t('unit.children', { n: view.children.length })),
      h('ul', { class: 'code-list' }, view.children.map((c) => h('li', {}, codeLink(c)))),
    ] : null,
    h('h3', {}, t('unit.history')),
    unitHistory(view));
}
