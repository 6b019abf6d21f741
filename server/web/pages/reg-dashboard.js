// 监管首页: the region's figures drawn as plain SVG charts.
import { get } from '../api.js';
import { t } from '../i18n.js';
import { h, mount, pageHeader, showError } from '../ui.js';
import { barChart, ring, stackBar } from '../svg.js';

function card(titleKey, ...body) {
  return h('section', { class: 'card' }, h('h2', {}, t(titleKey)), body);
}

/** A figure; with `href` it opens the list behind it. */
function figure(labelKey, value, href) {
  const body = [h('div', { class: 'figure-value' }, value), h('div', { class: 'figure-label' }, t(labelKey))];
  return href ? h('a', { class: 'figure', href }, body) : h('div', { class: 'figure' }, body);
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
      figure('dash.open_warnings', s.open_warnings, '#/warnings?state=open'),
      figure('dash.active_recalls', s.recalls.active, '#/reg-recalls')),
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
