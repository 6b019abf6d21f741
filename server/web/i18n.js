// Interface texts: one dictionary module per language, Simplified Chinese by default. The
// chosen language is remembered in the browser and sent to the API as Accept-Language, so
// the server's validation messages come back in the same language.
import zh from './i18n/zh-CN.js';
import en from './i18n/en.js';

const dictionaries = { 'zh-CN': zh, en };
const KEY = 'suyuan.lang';
let current = dictionaries[localStorage.getItem(KEY)] ? localStorage.getItem(KEY) : 'zh-CN';
document.documentElement.lang = current;

/** The current language code (`zh-CN` or `en`). */
export function lang() {
  return current;
}

/** The languages offered, with their own names. */
export const LANGUAGES = [['zh-CN', '中文'], ['en', 'English']];

/** Switches the language; the caller re-renders. */
export function setLang(code) {
  if (!dictionaries[code]) return;
  current = code;
  localStorage.setItem(KEY, code);
  document.documentElement.lang = code;
}

/** The text of `key`, with `{name}` placeholders filled from `vars`; a missing key shows itself. */
export function t(key, vars) {
  let text = dictionaries[current][key] ?? dictionaries['zh-CN'][key] ?? key;
  if (vars) {
    for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, String(v));
  }
  return text;
}

/** Keys of both dictionaries, for the consistency check. */
export function keys(code) {
  return Object.keys(dictionaries[code] || {});
}
