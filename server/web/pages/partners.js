// 供应商管理 / 销售客户管理: one page for both, the role fixed by the route. A partner whose USCC
// is registered on the platform is linked to it, which reconciliation needs.
import { api, get, query } from '../api.js';
import { attachmentsEditor } from '../attachments.js';
import { t } from '../i18n.js';
import {
  badge, busy, button, clearErrors, closeDrawer, drawer, errorSummary, field, fillForm, h,
  listView, mount, pageHeader, readForm, showError, showErrors, toast,
} from '../ui.js';
import { ENTERPRISE_KINDS } from './profile.js';
import { importDrawer } from './products.js';

function edit(base, row, reload) {
  const partner = row ? row.partner : null;
  const supplier = base === 'suppliers';
  const form = h('form', { class: 'form-grid', novalidate: true }, errorSummary(),
    field({ name: 'name', label: supplier ? 'partner.supplier_name' : 'partner.customer_name', required: true, wide: true }),
    field({ name: 'uscc', label: 'enterprise.uscc', required: true }),
    field({ name: 'kind', label: 'partner.kind', type: 'select', required: true, options: ENTERPRISE_KINDS.map((k) => [k, `ekind.${k}`]) }),
    field({ name: 'state', label: 'common.status', type: 'select', blank: false, options: [['normal', 'partner.state.normal'], ['disabled', 'partner.state.disabled']] }),
    field({ name: 'legal_representative', label: 'enterprise.legal_representative', required: true }),
    field({ name: 'contact', label: 'enterprise.contact', required: true }),
    field({ name: 'phone', label: 'enterprise.phone' }),
    field({ name: 'region_code', label: 'enterprise.region_code' }),
    field({ name: 'address', label: 'enterprise.address', wide: true }),
    field({ name: 'licence.number', label: 'enterprise.licence_number' }),
    field({ name: 'licence.valid_from', label: 'enterprise.licence_from', type: 'date' }),
    field({ name: 'licence.valid_to', label: 'enterprise.licence_to', type: 'date' }),
    field({ name: 'remittance_account', label: 'partner.remittance_account' }));
  if (partner) fillForm(form, partner);
  let attachments = partner ? partner.attachments : [];
  form.append(attachmentsEditor(partner ? attachments : null, async (list) => {
    const stored = await api('PUT', `/api/v1/${base}/${partner.id}`, { ...partner, attachments: list });
    attachments = stored.partner.attachments;
    reload();
    return attachments;
  }));
  const save = button(t('common.save'), () => busy(save, async () => {
    clearErrors(form);
    const v = readForm(form);
    if (!v.licence.number) v.licence = null;
    const body = { ...(partner || {}), ...v, attachments };
    try {
      if (partner) await api('PUT', `/api/v1/${base}/${partner.id}`, body);
      else await api('POST', `/api/v1/${base}`, body);
      toast(t('common.saved'));
      closeDrawer();
      reload();
    } catch (err) {
      showErrors(form, err);
    }
  }), 'primary');
  drawer(t(partner ? 'common.edit' : 'common.add'), form, [button(t('common.cancel'), closeDrawer), save]);
}

/** The suppliers or customers page (`options.role`). */
export async function render(root, { options }) {
  const base = options.role;
  const list = listView({
    load: (p) => get(`/api/v1/${base}`, p),
    filters: [{ name: 'state', label: 'common.status', type: 'select', options: [['normal', 'partner.state.normal'], ['disabled', 'partner.state.disabled']], blankLabel: t('common.all') }],
    columns: [
      { label: base === 'suppliers' ? 'partner.supplier_name' : 'partner.customer_name', value: (r) => r.partner.name },
      { label: 'enterprise.uscc', value: (r) => r.partner.uscc },
      { label: 'partner.kind', value: (r) => t(`ekind.${r.partner.kind}`) },
      { label: 'enterprise.contact', value: (r) => `${r.partner.contact} ${r.partner.phone}` },
      { label: 'partner.registered', value: (r) => (r.partner.enterprise_id ? badge(t('common.yes'), 'ok') : badge(t('common.no'), 'muted')) },
      { label: 'common.status', value: (r) => t(`partner.state.${r.partner.state}`) },
    ],
    actions: [
      button(t('common.add'), () => edit(base, null, () => list.reload()), 'primary'),
      button(t('import.title'), () => importDrawer(`/api/v1/${base}/import`, `/api/v1/${base}/template.xlsx`, () => list.reload())),
      button(t('common.export'), () => { location.href = `/api/v1/${base}/export.xlsx${query(list.params())}`; }),
    ],
    rowActions: (r) => [
      button(t('common.edit'), () => edit(base, r, () => list.reload()), 'link'),
      button(t('common.delete'), async () => {
        if (!confirm(t('common.confirm_delete'))) return;
        try {
          await api('DELETE', `/api/v1/${base}/${r.partner.id}`);
          list.reload();
        } catch (err) {
          showError(err);
        }
      }, 'link danger'),
    ],
  });
  mount(root, pageHeader(base === 'suppliers' ? 'menu.suppliers' : 'menu.customers'), list.el);
}
