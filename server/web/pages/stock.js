// 库存: what the enterprise holds by product and batch, from its submitted documents.
import { get } from '../api.js';
import { t } from '../i18n.js';
import { h, listView, mount, pageHeader, when } from '../ui.js';

/** The stock page. */
export async function render(root) {
  const list = listView({
    load: (p) => get('/api/v1/stock', p),
    filters: [
      { name: 'batch', label: 'line.batch' },
      { name: 'expiring_before', label: 'stock.expiring_before', type: 'date' },
    ],
    columns: [
      { label: 'line.product', value: (s) => s.product_name || s.product_id },
      { label: 'line.batch', value: (s) => s.batch },
      { label: 'stock.inbound', value: (s) => s.inbound },
      { label: 'stock.outbound', value: (s) => s.outbound },
      { label: 'stock.held', value: (s) => h('strong', {}, s.held) },
      { label: 'line.expiry_date', value: (s) => s.expiry_date || '—' },
      { label: 'common.updated_at', value: (s) => when(s.updated_at) },
    ],
  });
  mount(root, pageHeader('menu.stock', h('p', { class: 'muted' }, t('stock.intro'))), list.el);
}
