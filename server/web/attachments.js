// Attachments of a saved record (licence scans, test reports, photos). As in the seed, files
// are added only once the record is saved: a new record shows where they will go.
import { upload } from './api.js';
import { t } from './i18n.js';
import { busy, button, field, h, mount, showError, toast } from './ui.js';

const KINDS = ['licence', 'test_report', 'photo', 'quality_agreement', 'other'];

function size(bytes) {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * The attachments block of a drawer. `list` is the record's attachments (null for a record not
 * saved yet); `persist(list)` stores the record with a new list and resolves to the stored list.
 */
export function attachmentsEditor(list, persist) {
  const box = h('section', { class: 'attachments wide', 'aria-label': t('attach.title') });
  if (list === null) {
    mount(box, h('h3', {}, t('attach.title')), h('p', { class: 'muted' }, t('attach.after_save')));
    return box;
  }
  let current = list;
  const kind = field({ name: 'attachment_kind', label: 'attach.kind', type: 'select', blank: false, options: KINDS.map((k) => [k, `attach.kind.${k}`]) });
  const file = field({ name: 'attachment_file', label: 'attach.file', type: 'file', accept: 'application/pdf,image/png,image/jpeg,image/webp', hint: 'attach.hint' });
  const items = h('ul', { class: 'attachment-list' });
  function draw() {
    mount(items, current.length ? current.map((a, i) => h('li', {},
      h('a', { href: `/api/v1/attachments/${a.id}`, target: '_blank', rel: 'noopener' }, a.file_name),
      ` · ${t(`attach.kind.${a.kind}`)} · ${size(a.size)} `,
      button(t('common.delete'), async () => {
        try {
          current = await persist(current.filter((_, j) => j !== i));
          draw();
        } catch (err) {
          showError(err);
        }
      }, 'link danger'))) : h('li', { class: 'muted' }, t('attach.none')));
  }
  const add = button(t('attach.upload'), () => busy(add, async () => {
    const chosen = file.querySelector('input').files[0];
    if (!chosen) {
      showError({ message: t('attach.choose'), errors: [] });
      return;
    }
    const k = kind.querySelector('select').value;
    try {
      const stored = await upload(`/api/v1/attachments?kind=${k}&file_name=${encodeURIComponent(chosen.name)}`, chosen);
      current = await persist([...current, stored]);
      file.querySelector('input').value = '';
      draw();
      toast(t('attach.uploaded'));
    } catch (err) {
      showError(err);
    }
  }));
  draw();
  mount(box, h('h3', {}, t('attach.title')), items, h('div', { class: 'attachment-add', dataset: { skip: '1' } }, kind, file, add));
  return box;
}
