// The API client: one place for credentials, the CSRF header and the 401 → login rule.
import { state } from './state.js';

export const MSG_EXPIRED = 'セッションの有効期限が切れました。もう一度ログインしてください。';
export const MSG_NETWORK = 'サーバーに接続できませんでした。ネットワークの状態を確認してください。';

export class ApiError extends Error {
  constructor(status, data) {
    const d = data || {};
    super(d.message || (status ? `エラーが発生しました（${status}）。` : MSG_NETWORK));
    this.status = status;
    this.code = d.error || '';
    this.data = d;
  }
}

// Called with the error when a request outside the login form answers 401 (session.js).
let unauthorized = () => {};
export function onUnauthorized(handler) { unauthorized = handler; }

export async function api(method, path, body, opts) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (method !== 'GET') {
    init.headers['Content-Type'] = 'application/json';
    if (state.csrf) init.headers['X-CSRF-Token'] = state.csrf;
    init.body = JSON.stringify(body || {});
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, { message: MSG_NETWORK });
  }
  let data = null;
  if (res.status !== 204) {
    const raw = await res.text().catch(() => '');
    if (raw) { try { data = JSON.parse(raw); } catch (e) { data = null; } }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && !(opts && opts.noRedirect)) unauthorized(err);
    throw err;
  }
  return data || {};
}

export const convPath = (id, suffix) => `/api/conversations/${encodeURIComponent(id)}${suffix || ''}`;
