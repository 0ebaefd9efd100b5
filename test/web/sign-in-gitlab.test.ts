// Sign-in with GitLab (an OAuth application on GITLAB_URL, state + PKCE) against the fake
// GitLab's OAuth and project endpoints, through `berth serve --role web`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { App } from '../../src/app/start.ts';
import { FakeGitlab } from '../support/fake-gitlab.ts';
import { beginSignIn, cookieFrom, signIn } from '../support/forge-sign-in.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { pushRequest } from '../support/requests.ts';
import { startServe } from '../support/serve.ts';

describe('sign-in with GitLab', () => {
  const gitlab = new FakeGitlab({ prefix: '/gitlab' });
  let redis: TestRedis;
  let app: App;
  let base = '';
  const ids: Record<string, string> = {};

  before(async () => {
    await gitlab.start();
    gitlab.addSignInUser('reporter', 21, { 'group/app': 20 });
    gitlab.addSignInUser('developer', 22, { 'group/app': 30 });
    gitlab.addSignInUser('outsider', 23);
    gitlab.addSignInUser('guest', 24, { 'group/app': 10 });
    gitlab.publicProjects.add('group/open');
    redis = await startRedis();
    app = await startServe(
      {
        REDIS_URL: redis.url,
        GITLAB_URL: gitlab.url,
        GITLAB_OAUTH_CLIENT_ID: gitlab.oauth.clientId,
        GITLAB_OAUTH_CLIENT_SECRET: gitlab.oauth.clientSecret,
      },
      'web',
    );
    base = app.url;
    const gl = (repo: string, sha: string) =>
      pushRequest({ forge: 'gitlab', repo, projectId: 1, sha: sha.repeat(40) });
    ids.app = (await app.stack.service.request(gl('group/app', 'a'))).id;
    ids.open = (await app.stack.service.request(gl('group/open', 'b'))).id;
    ids.github = (
      await app.stack.service.request(pushRequest({ repo: 'group/app', sha: 'c'.repeat(40) }))
    ).id;
  });
  after(async () => {
    await app.close();
    await redis.stop();
    await gitlab.close();
  });

  const as = (cookie: string) => ({ headers: { cookie } });
  const listed = async (cookie: string) =>
    (
      (await (await fetch(`${base}/api/builds`, as(cookie))).json()) as { builds: Array<{ id: string }> }
    ).builds
      .map((b) => b.id)
      .sort();

  test('the sign-in page offers GitLab, and the authorize request carries state, PKCE and read scopes', async () => {
    const html = await (await fetch(`${base}/signin`)).text();
    assert.match(html, /href="\/auth\/gitlab\/login\?next=%2F"/);
    assert.doesNotMatch(html, /auth\/github/);
    const { authorizeUrl } = await beginSignIn(base, 'gitlab');
    assert.equal(authorizeUrl.pathname, '/gitlab/oauth/authorize');
    assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorizeUrl.searchParams.get('state'));
    assert.equal(authorizeUrl.searchParams.get('redirect_uri'), `${base}/auth/gitlab/callback`);
    assert.equal(authorizeUrl.searchParams.get('scope'), 'read_api read_user');
  });

  test('a reporter reads the project and public ones, not GitHub builds; an outsider sees only public ones', async () => {
    gitlab.oauth.signInAs = 'reporter';
    const reporter = await signIn(base, 'gitlab');
    assert.deepEqual(await listed(reporter), [ids.app, ids.open].sort());
    assert.equal((await fetch(`${base}/api/builds/${ids.github}`, as(reporter))).status, 404);
    gitlab.oauth.signInAs = 'outsider';
    const outsider = await signIn(base, 'gitlab');
    assert.deepEqual(await listed(outsider), [ids.open]);
    assert.equal((await fetch(`${base}/api/builds/${ids.app}`, as(outsider))).status, 404);
    assert.equal((await fetch(`${base}/builds/${ids.app}`, as(outsider))).status, 404);
    gitlab.oauth.signInAs = 'guest';
    const guest = await signIn(base, 'gitlab');
    assert.deepEqual(
      await listed(guest),
      [ids.open],
      'a Guest of a private project does not read its builds',
    );
  });

  test('a reporter cannot cancel, rerun or start; a developer can', async () => {
    const post = (path: string, cookie: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { cookie, origin: base },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const start = { source: 'gitlab:group/app', ref: 'main' };
    gitlab.oauth.signInAs = 'reporter';
    const reporter = await signIn(base, 'gitlab');
    assert.equal((await post(`/api/builds/${ids.app}/cancel`, reporter)).status, 403);
    assert.equal((await post(`/api/builds/${ids.app}/rerun`, reporter)).status, 403);
    assert.equal((await post('/api/builds', reporter, start)).status, 403);
    gitlab.oauth.signInAs = 'developer';
    const developer = await signIn(base, 'gitlab');
    assert.equal((await post(`/api/builds/${ids.app}/cancel`, developer)).status, 202);
    const started = await post('/api/builds', developer, start);
    assert.equal(started.status, 201);
    const { id } = (await started.json()) as { id: string };
    assert.equal((await app.stack.service.get(id))?.request.actor, 'developer');
  });

  test('a state mismatch is refused', async () => {
    gitlab.oauth.signInAs = 'developer';
    const mine = await beginSignIn(base, 'gitlab');
    const theirs = await beginSignIn(base, 'gitlab');
    const swapped = await fetch(theirs.callback, {
      redirect: 'manual',
      headers: { cookie: mine.stateCookie },
    });
    assert.match(swapped.headers.get('location') ?? '', /^\/signin\?failed=gitlab/);
    assert.equal(cookieFrom(swapped, 'berth_session'), null);
  });

  test('a revoked forge token ends the session', async () => {
    gitlab.oauth.signInAs = 'outsider';
    const cookie = await signIn(base, 'gitlab');
    gitlab.oauth.revoke('outsider');
    // A repository not checked yet with this session: the forge is asked and answers 401.
    assert.deepEqual(await listed(cookie).catch(() => null), []);
    assert.equal((await fetch(`${base}/api/builds`, as(cookie))).status, 401);
  });
});
