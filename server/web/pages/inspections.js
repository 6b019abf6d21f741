// 监督检查记录 for an enterprise: the regulators' field inspections of it, read-only, with what
// was found, each product looked at and the photos.
import { get } from '../api.js';
import { t } from '../i18n.js';
import { button, closeDrawer, drawer, h, listView, mount, pageHeader, showError } from '../ui.js';
import { inspectionBody, inspectionColumns } from './reg-inspections.js';

async function detail(id, me) {
  try {
    const row = await get(`/api/v1/inspections/${id}`);
    drawer(`${t('insp.detail')} · ${row.inspection.date}`,
      inspectionBody(row, me.enterprise ? me.enterprise.name : '', (p) => `/api/v1/inspections/${id}/photos/${p}`),
      [button(t('common.close'), closeDrawer)]);
  } catch (err) {
    showError(err);
  }
}

/** The enterprise's inspections page. */
export async function render(root, { me }) {
  const list = listView({
    load: (p) => get('/api/v1/inspections', p),
    filters: [
      { name: 'overall', label: 'insp.overall', type: 'select', options: ['pass', 'unknown', 'fail', 'none'].map((o) => [o, `insp.outcome.${o}`]), blankLabel: t('common.all') },
      { name: 'date_from', label: 'common.date_from', type: 'date' },
      { name: 'date_to', label: 'common.date_to', type: 'date' },
    ],
    columns: inspectionColumns(null),
    rowActions: (r) => [button(t('common.view'), () => detail(r.inspection.id, me), 'link')],
    empty: 'insp.empty',
  });
  mount(root, pageHeader('menu.my_inspections', h('p', { class: 'muted' }, t('insp.my_intro'))), list.el);
}
