// 监管首页: the region's figures drawn as plain SVG charts.
import { get } from '../api.js';
import { t } from '../i18n.js';
import { h, mount, pageHeader, showError } from '../ui.js';
import { barChart, ring, stackBar } from '../svg.js';

function card(titleKey, ...body) {
  return h('section', { class: 'card' }, h('h2', {}, t(titleKey)), body);
}

function figure(labelKey, value) {
  return h('div', { class: 'figure' }, h('div', { class: 'figure-value' }, value), h('div', { class: 'figure-label' }, t(labelKey)));
}

/** The regulator's dashboard. */
export async function render(root) {
  let s;
  try {
    s = await get('/api/v1/regulator/statistics');
  } catch (err) {
    showError(err);
    return;
  }
  const r = s.reconciliation;
  mount(root,
    pageHeader('menu.dashboard', h('p', { class: 'muted' }, t('dash.region', { region: s.region_code }))),
    h('div', { class: 'figures' },
      figure('dash.registered', s.enterprises.registered),
      figure('dash.active', s.enterprises.active),
      figure('dash.open_warnings', s.open_warnings),
      figure('dash.active_recalls', s.recalls.active)),
    h('div', { class: 'cards' },
      card('dash.documents_per_month', barChart(s.documents_per_month.map((m) => ({ label: m.month.slice(2), value: m.documents })), t('dash.documents_per_month'))),
      card('dash.reconciliation', h('div', { class: 'ring-row' }, ring(r.rate, t('dash.reconciliation')),
        h('dl', { class: 'facts' },
          h('dt', {}, t('recon.state.confirmed')), h('dd', {}, r.confirmed),
          h('dt', {}, t('recon.state.pending')), h('dd', {}, r.pending),
          h('dt', {}, t('recon.state.disputed')), h('dd', {}, r.disputed)))),
      card('dash.recalls', stackBar([
        { label: t('recall.status.planned'), value: s.recalls.planned, kind: 'info' },
        { label: t('recall.status.active'), value: s.recalls.active, kind: 'warn' },
        { label: t('recall.status.completed'), value: s.recalls.completed, kind: 'ok' },
      ], t('dash.recalls')))));
}
