// The one way pages talk to the server: same-origin fetch with the session cookie, the CSRF
// token on every request that changes something, Accept-Language, and errors as ApiError
// carrying the server's `{message, errors: [{field, rule, message}]}`.
import { lang, t } from './i18n.js';

let csrfToken = null;
let onUnauthorized = () => {};

/** Remembers the CSRF token of the session just opened. */
export function setCsrf(token) {
  csrfToken = token;
}

/** What to do when the server says the session is gone (back to the login page). */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

function cookie(name) {
  const hit = document.cookie.split(';').map((c) => c.trim().split('=')).find(([k]) => k === name);
  return hit ? decodeURIComponent(hit[1] || '') : '';
}

/** A failed request: HTTP status, the server's message and its field errors. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || t('error.http', { status }));
    this.status = status;
    this.errors = (body && Array.isArray(body.errors)) ? body.errors : [];
  }
}

/** `?a=1&b=2` of the non-empty values of `params`. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

function headers(method, extra) {
  const h = { 'Accept-Language': lang(), Accept: 'application/json', ...extra };
  if (method !== 'GET' && method !== 'HEAD') h['X-CSRF-Token'] = csrfToken || cookie('suyuan_csrf');
  return h;
}

async function parse(res) {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** Sends a request; JSON bodies for objects, raw bytes for files. Resolves to the JSON answer. */
export async function api(method, path, body, options = {}) {
  const extra = {};
  let payload;
  if (body instanceof Blob) {
    payload = body;
    extra['Content-Type'] = options.type || body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    extra['Content-Type'] = 'application/json';
  }
  const res = await fetch(path, { method, headers: headers(method, extra), body: payload, credentials: 'same-origin' });
  const data = await parse(res);
  if (res.status === 401 && !options.quiet) onUnauthorized();
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** GET with query parameters. */
export function get(path, params) {
  return api('GET', path + query(params));
}

/** Uploads a file as the raw body, reporting progress (0..1) as it goes; resolves to the JSON
 *  answer, or to `{status, data}` with `options.withStatus` (when 200 and 201 mean different things). */
export function upload(path, file, onProgress, type, options = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [k, v] of Object.entries(headers('POST', { 'Content-Type': type || file.type || 'application/octet-stream' }))) {
      xhr.setRequestHeader(k, v);
    }
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let data = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch { /* not JSON: the status says enough */ }
      if (xhr.status === 401) onUnauthorized();
      if (xhr.status >= 200 && xhr.status < 300) resolve(options.withStatus ? { status: xhr.status, data } : data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new ApiError(0, { message: t('error.network') }));
    xhr.send(file);
  });
}
