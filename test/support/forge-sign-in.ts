// Signs a person in through Berth's forge OAuth routes over HTTP, following the redirects
// by hand (Berth → the fake forge's authorize page → Berth's callback), as a browser would.
import assert from 'node:assert/strict';

/** The `name=value` of a Set-Cookie header naming `name`, or null. */
export function cookieFrom(res: Response, name: string): string | null {
  const found = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return found ? (found.split(';')[0] ?? null) : null;
}

/** Each step of one sign-in, for tests that tamper with one. */
export async function beginSignIn(base: string, forge: 'github' | 'gitlab', next = '/') {
  const login = await fetch(`${base}/auth/${forge}/login?next=${encodeURIComponent(next)}`, {
    redirect: 'manual',
  });
  assert.equal(login.status, 302, 'login redirects to the forge');
  const stateCookie = cookieFrom(login, 'berth_oauth');
  assert.ok(stateCookie, 'login binds the sign-in to the browser');
  const authorize = await fetch(login.headers.get('location') ?? '', { redirect: 'manual' });
  assert.equal(authorize.status, 302, 'the forge sends the browser back');
  return {
    authorizeUrl: new URL(login.headers.get('location') ?? ''),
    callback: authorize.headers.get('location') ?? '',
    stateCookie,
  };
}

/** Signs in at the forge's current `signInAs`; returns the `Cookie` header of the session. */
export async function signIn(base: string, forge: 'github' | 'gitlab', next = '/'): Promise<string> {
  const { callback, stateCookie } = await beginSignIn(base, forge, next);
  const back = await fetch(callback, { redirect: 'manual', headers: { cookie: stateCookie } });
  assert.equal(back.status, 303, await back.clone().text());
  assert.equal(back.headers.get('location'), next);
  const session = cookieFrom(back, 'berth_session');
  assert.ok(session, 'a session cookie is set');
  return session;
}
