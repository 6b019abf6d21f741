// 产品召回 for an enterprise: the recalls that reached it with what it held, acknowledging
// them, and reporting the quantities returned and destroyed; and its own voluntary recalls
// (主动召回) of its products, with every holder and the progress.
import { api, get } from '../api.js';
import { t } from '../i18n.js';
import {
  badge, busy, button, closeDrawer, drawer, errorSummary, field, h, listView, mount, pageHeader,
  readForm, showError, showErrors, toast,
} from '../ui.js';

/** A recall's status as a badge. */
export function recallStatus(status) {
  const kind = { planned: 'muted', active: 'danger', completed: 'ok' }[status];
  return badge(t(`recall.status.${status}`), kind);
}

/** The batches of a recall, or "all batches". */
export function batchesOf(recall) {
  return recall.batches.length ? recall.batches.join('、') : t('recall.all_batches');
}

function reportDrawer(row, reload) {
  const mine = row.mine;
  const form = h('form', { class: 'form-grid', novalidate: true }, errorSummary(),
    h('p', { class: 'wide' }, t('recall.report_intro', { held: mine.quantity_held })),
    field({ name: 'quantity_returned', label: 'recall.returned', type: 'number', min: 0, required: true, value: mine.quantity_returned }),
    field({ name: 'quantity_destroyed', label: 'recall.destroyed', type: 'number', min: 0, required: true, value: mine.quantity_destroyed }));
  const go = button(t('common.submit'), () => busy(go, async () => {
    try {
      await api('POST', `/api/v1/recalls/${row.recall.id}/report`, readForm(form));
      toast(t('common.saved'));
      closeDrawer();
      reload();
    } catch (err) {
      showErrors(form, err);
    }
  }), 'primary');
  drawer(t('recall.report'), form, [button(t('common.cancel'), closeDrawer), go]);
}

/** The enterprise's recalls page. */
export async function render(root, { me }) {
  const { create, detail } = await import('./reg-recalls.js');
  const mine = (r) => r.recall.initiator.by === 'enterprise' && me.enterprise && r.recall.initiator.enterprise_id === me.enterprise.id;
  const list = listView({
    load: (p) => get('/api/v1/recalls', p),
    filters: [{ name: 'status', label: 'common.status', type: 'select', options: ['planned', 'active', 'completed'].map((s) => [s, `recall.status.${s}`]), blankLabel: t('common.all') }],
    columns: [
      { label: 'recall.product', value: (r) => r.recall.product_name },
      { label: 'recall.batches', value: (r) => batchesOf(r.recall) },
      { label: 'recall.level', value: (r) => t(`recall.level.${r.recall.level}`) },
      { label: 'recall.reason', value: (r) => r.recall.reason },
      { label: 'recall.initiator', value: (r) => t(`recall.by.${r.recall.initiator.by}`) },
      { label: 'recall.held', value: (r) => (r.mine ? r.mine.quantity_held : '—') },
      { label: 'recall.acknowledged', value: (r) => (r.mine && r.mine.acknowledged_at ? badge(t('common.yes'), 'ok') : badge(t('common.no'), 'warn')) },
      { label: 'common.status', value: (r) => recallStatus(r.recall.status) },
    ],
    actions: [button(t('recall.create_own'), () => create('/api/v1/recalls', 'me', {}, () => list.reload()), 'danger')],
    rowActions: (r) => {
      const buttons = [];
      if (mine(r)) buttons.push(button(t('common.view'), () => detail('/api/v1/recalls', r.recall.id, () => list.reload()), 'link'));
      if (r.mine && r.recall.status === 'active') {
        if (!r.mine.acknowledged_at) {
          buttons.push(button(t('recall.acknowledge'), async () => {
            try {
              await api('POST', `/api/v1/recalls/${r.recall.id}/acknowledge`, {});
              toast(t('recall.acknowledged_ok'));
              list.reload();
            } catch (err) {
              showError(err);
            }
          }, 'link'));
        }
        buttons.push(button(t('recall.report'), () => reportDrawer(r, () => list.reload()), 'link'));
      }
      return buttons;
    },
    empty: 'recall.empty',
  });
  mount(root, pageHeader('menu.recalls', h('p', { class: 'muted' }, t('recall.intro'))), list.el);
}
