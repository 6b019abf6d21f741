// 企业主体信息: the enterprise's own profile; its admin edits it, others read it.
import { api, get } from '../api.js';
import { t } from '../i18n.js';
import {
  busy, button, clearErrors, errorSummary, field, fillForm, h, lockForm, mount, pageHeader,
  readForm, showError, showErrors, toast,
} from '../ui.js';

/** Operator kinds, in the order forms list them. */
export const ENTERPRISE_KINDS = ['registrant_manufacturer', 'domestic_responsible_person', 'wholesaler', 'retail_shop', 'supermarket', 'beauty_salon', 'e_commerce'];

/** The profile page. */
export async function render(root, { me }) {
  let profile;
  try {
    profile = await get('/api/v1/profile');
  } catch (err) {
    showError(err);
    return;
  }
  const admin = me.account.role === 'enterprise_admin';
  const form = h('form', { class: 'form-grid card', novalidate: true }, errorSummary(),
    field({ name: 'name', label: 'enterprise.name', required: true, wide: true }),
    field({ name: 'uscc', label: 'enterprise.uscc', required: true, readonly: true, hint: 'enterprise.uscc_fixed' }),
    field({ name: 'kind', label: 'enterprise.kind', type: 'select', required: true, blank: false, options: ENTERPRISE_KINDS.map((k) => [k, `ekind.${k}`]) }),
    field({ name: 'region_code', label: 'enterprise.region_code', required: true }),
    field({ name: 'address', label: 'enterprise.address', required: true, wide: true }),
    field({ name: 'legal_representative', label: 'enterprise.legal_representative', required: true }),
    field({ name: 'contact', label: 'enterprise.contact', required: true }),
    field({ name: 'phone', label: 'enterprise.phone', required: true }),
    field({ name: 'licence.number', label: 'enterprise.licence_number' }),
    field({ name: 'licence.valid_from', label: 'enterprise.licence_from', type: 'date' }),
    field({ name: 'licence.valid_to', label: 'enterprise.licence_to', type: 'date' }));
  fillForm(form, profile);
  const save = button(t('common.save'), () => busy(save, async () => {
    clearErrors(form);
    const v = readForm(form);
    if (!v.licence.number) v.licence = null;
    try {
      fillForm(form, await api('PUT', '/api/v1/profile', v));
      toast(t('common.saved'));
    } catch (err) {
      showErrors(form, err);
    }
  }), 'primary');
  if (admin) form.append(h('div', { class: 'form-actions wide' }, save));
  else lockForm(form);
  mount(root, pageHeader('menu.profile'), form);
}
