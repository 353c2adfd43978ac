// A client of the portal's JSON API (docs/portal-api.md) outside the browser: a second
// participant or instructor acting while a page is watched. Keeps the session cookie and the
// CSRF token of the login reply.
export class ApiSession {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
    this.csrf = '';
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method, path, body, { raw = false, headers = {} } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.cookie = this.cookieHeader();
    if (method !== 'GET' && this.csrf) h['x-csrf-token'] = this.csrf;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] = 'application/json';
    }
    const reply = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    for (const line of reply.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    if (raw) return reply;
    const text = await reply.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: reply.status, json, text, headers: reply.headers };
  }

  get(path) {
    return this.request('GET', path);
  }

  post(path, body = {}) {
    return this.request('POST', path, body);
  }

  async login(credentials) {
    const reply = await this.post('/api/v1/login', credentials);
    if (reply.status !== 200) throw new Error(`login ${JSON.stringify(credentials)}: ${reply.status} ${reply.text}`);
    this.csrf = reply.json.csrf;
    return reply.json;
  }
}

export async function participantSession(base, code) {
  const s = new ApiSession(base);
  await s.login({ code });
  return s;
}

export async function instructorSession(base, password) {
  const s = new ApiSession(base);
  await s.login({ password });
  return s;
}
