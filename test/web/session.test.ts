import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { createSessionAuth, SESSION_COOKIE } from '../../src/web/auth/session.ts';

const TOKEN = 'a-long-enough-api-token';
const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

test('a session cookie is derived from the token, never the token, and expires', () => {
  let now = 1_000_000;
  const auth = createSessionAuth({ token: TOKEN, secure: true, ttlMs: 60_000, now: () => now });
  const value = auth.issue();
  assert.ok(!value.includes(TOKEN));
  assert.ok(auth.authorized(req({ cookie: `other=1; ${SESSION_COOKIE}=${value}` })));
  assert.match(auth.cookie(value), /HttpOnly; SameSite=Strict; Max-Age=60; Secure$/);
  now += 60_001;
  assert.ok(!auth.authorized(req({ cookie: `${SESSION_COOKIE}=${value}` })));
});

test('a session made with another token, or a forged one, is refused', () => {
  const other = createSessionAuth({ token: 'a-different-api-token', secure: false }).issue();
  const auth = createSessionAuth({ token: TOKEN, secure: false });
  assert.ok(!auth.authorized(req({ cookie: `${SESSION_COOKIE}=${other}` })));
  assert.ok(!auth.authorized(req({ cookie: `${SESSION_COOKIE}=99999999999999.forged` })));
  assert.ok(!auth.authorized(req({})));
});

test('the bearer token works and a wrong one does not', () => {
  const auth = createSessionAuth({ token: TOKEN, secure: false });
  assert.ok(auth.authorized(req({ authorization: `Bearer ${TOKEN}` })));
  assert.ok(!auth.authorized(req({ authorization: 'Bearer nope' })));
  assert.ok(auth.checkToken(TOKEN));
  assert.ok(!auth.checkToken(`${TOKEN}x`));
});
