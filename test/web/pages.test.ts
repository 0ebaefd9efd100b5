import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPagesHandler } from '../../src/web/pages/handler.ts';
import { testAccess } from '../support/web-access.ts';
import { createFixtureApi, createFixtureBuilds, serveHandlers } from '../support/web-fixture.ts';
import { seedScene } from '../support/web-scene.ts';

const builds = createFixtureBuilds();
const ids = seedScene(builds);
let base = '';
let close = async () => {};

before(async () => {
  const links = { github: 'https://github.example', gitlab: 'https://gitlab.example' };
  const open = await testAccess({ publicRead: true });
  const { url, server } = await serveHandlers([
    createPagesHandler({ service: builds, access: open.access, links }),
    createFixtureApi(builds),
  ]);
  base = url;
  close = async () => {
    server.close();
    await open.close();
  };
});
after(() => close());

const dataOf = (html: string) =>
  JSON.parse(/<script type="application\/json" id="berth-data">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null');

test('the list page is a self-only CSP shell carrying the filtered builds', async () => {
  const res = await fetch(`${base}/?repo=acme/widgets&status=running`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const html = await res.text();
  assert.match(html, /<main id="main"/);
  const data = dataOf(html);
  assert.deepEqual(data.filter, { repo: 'acme/widgets', status: 'running' });
  assert.deepEqual(
    data.builds.map((b: { id: string }) => b.id),
    [ids.running],
  );
  for (const tag of html.match(/<script[^>]*>/g) ?? [])
    assert.match(tag, /src="\/assets\/|application\/json/);
});

test('a build page masks secret inputs and has no sign-in when no token is configured', async () => {
  const html = await (await fetch(`${base}/builds/${ids.failed}`)).text();
  assert.doesNotMatch(html, /hunter2/);
  const data = dataOf(html);
  assert.equal(data.build.request.inputs.deployKey, '***');
  assert.equal(data.build.request.inputs.region, 'eu-west-1');
  assert.equal(data.canAct, false);
  assert.doesNotMatch(html, /Sign in/);
});

test('an unknown build is a 404 page', async () => {
  const res = await fetch(`${base}/builds/nope`);
  assert.equal(res.status, 404);
  assert.match(await res.text(), /There is no build nope/);
});

test('page modules are served as type-stripped JavaScript with cache headers', async () => {
  const html = await (await fetch(`${base}/builds/${ids.failed}`)).text();
  const src = /<script type="module" src="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.match(src, /^\/assets\/build\.ts\?v=/);
  const res = await fetch(`${base}${src}`);
  assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const js = await res.text();
  assert.doesNotMatch(js, /import type|: BuildRecord/);
  const preloads = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
  assert.ok(preloads.includes('/assets/log-view.ts'), 'imported two levels down');
  for (const href of preloads)
    assert.equal(
      (await fetch(`${base}${href}`)).headers.get('content-type'),
      'text/javascript; charset=utf-8',
    );
  const plain = await fetch(`${base}/assets/ansi.ts`);
  assert.equal(plain.headers.get('cache-control'), 'no-cache');
  const again = await fetch(`${base}/assets/ansi.ts`, {
    headers: { 'if-none-match': plain.headers.get('etag') ?? '' },
  });
  assert.equal(again.status, 304);
  assert.equal((await fetch(`${base}/assets/serve.ts`)).status, 404);
  assert.match(await (await fetch(`${base}/assets/palette.css`)).text(), /\.log \.f208\{color:#ff8700\}/);
});
