/** The HTTP API client: bearer token, JSON, coded errors. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let token: string | undefined;
let onUnauthorized: (() => void) | undefined;

export function setToken(value: string | undefined): void {
  token = value;
}

export function currentToken(): string | undefined {
  return token;
}

/** Called when the hub says the session is gone (expired, signed out elsewhere). */
export function onSessionLost(callback: () => void): void {
  onUnauthorized = callback;
}

async function send(method: string, path: string, body?: BodyInit | object, options: { public?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token && !options.public) headers['authorization'] = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData || body instanceof Blob) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload ?? null, cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', (err as Error).message);
  }
  if (res.ok) return res;
  let code = `HTTP_${res.status}`;
  let message = res.statusText;
  try {
    const err = (await res.json()) as { code?: string; message?: string };
    code = err.code ?? code;
    message = err.message ?? message;
  } catch {
    // not JSON: keep the status text
  }
  if (res.status === 401 && !options.public) onUnauthorized?.();
  throw new ApiError(res.status, code, message);
}

/**
 * `path` with a single-use ticket (30 s) in place of the bearer token, for what a
 * browser opens by URL (EventSource, a printable page): the token itself never
 * goes into a URL, a history entry or a printout.
 */
export async function withTicket(path: string): Promise<string> {
  const { ticket } = await postJson<{ ticket: string }>('/api/v1/auth/ticket');
  return `${path}${path.includes('?') ? '&' : '?'}ticket=${encodeURIComponent(ticket)}`;
}

/** Open a page that needs the session in a new tab (opened at once, so no pop-up blocker stops it). */
export function openWithTicket(path: string): void {
  const tab = window.open('about:blank', '_blank');
  if (tab) tab.opener = null;
  withTicket(path).then(
    (url) => {
      if (tab) tab.location.href = url;
      else window.location.assign(url);
    },
    () => tab?.close(),
  );
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await send('GET', path)).json()) as T;
}

export async function postJson<T>(path: string, body: object = {}, options: { public?: boolean } = {}): Promise<T> {
  const res = await send('POST', path, body, options);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export async function deleteJson(path: string): Promise<void> {
  await send('DELETE', path);
}

export async function patchJson<T>(path: string, body: object): Promise<T> {
  return (await (await send('PATCH', path, body)).json()) as T;
}

export async function upload<T>(path: string, field: string, file: File): Promise<T> {
  const form = new FormData();
  form.append(field, file, file.name);
  return (await (await send('POST', path, form)).json()) as T;
}

/** A protected file (photo, export) as a Blob: <img> and <a download> cannot send the bearer header. */
export async function getBlob(path: string): Promise<Blob> {
  return (await send('GET', path)).blob();
}


/** Save a Blob as a file via a temporary object URL. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
