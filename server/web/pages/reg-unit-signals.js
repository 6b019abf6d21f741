// 可疑追溯码 for regulators: codes an enterprise of the region scanned where the records do not
// place them (never issued, held by someone else, already sold) — the counterfeit signals of
// 一物一码. Each opens the code's history, or traces its batch.
import { get } from '../api.js';
import { t } from '../i18n.js';
import { button, closeDrawer, drawer, h, listView, mount, pageHeader, showError, when } from '../ui.js';
import { ruleText, unitCard } from './unit-view.js';

/** The region's enterprises by id, to name where the records place a code. */
async function regionNames() {
  const names = new Map();
  try {
    const page = await get('/api/v1/regulator/enterprises', { per_page: 500 });
    for (const r of page.items) names.set(r.enterprise.id, r.enterprise.name);
  } catch { /* names are a convenience */ }
  return names;
}

/** A signalled code with its history; a code never issued has none to fetch. */
async function show(code, rule, navigate) {
  const neverIssued = rule.endsWith('.never_issued');
  let body = h('p', { class: 'error-text' }, t('unit.rule.never_issued'));
  if (!neverIssued) {
    try {
      const view = await get(`/api/v1/unit-codes/${code}`);
      body = unitCard(view, (c) => show(c, '', navigate));
    } catch (err) {
      showError(err);
      return;
    }
  }
  drawer(`${t('unit.code')} ${code}`, body, [
    neverIssued ? null : button(t('signal.trace'), () => navigate('trace', { serial: code }), 'primary'),
    button(t('common.close'), closeDrawer),
  ]);
}

/** The regulator's counterfeit-signal list. */
export async function render(root, { navigate }) {
  const names = await regionNames();
  const list = listView({
    search: false,
    load: (p) => get('/api/v1/regulator/unit-signals', p),
    columns: [
      { label: 'signal.at', value: (s) => when(s.created_at) },
      { label: 'unit.code', value: (s) => h('span', { class: 'code' }, s.code) },
      { label: 'signal.enterprise', value: (s) => s.enterprise_name },
      { label: 'signal.rule', value: (s) => ruleText(s.rule) },
      { label: 'signal.seen_at', value: (s) => (s.seen_at ? names.get(s.seen_at) || t('trace.out_of_region') : '—') },
    ],
    rowActions: (s) => [button(t('common.view'), () => show(s.code, s.rule, navigate), 'link')],
    empty: 'signal.empty',
  });
  mount(root, pageHeader('menu.unit_signals', h('p', { class: 'muted' }, t('signal.intro'))), list.el);
}
