import type { ServerResponse } from 'node:http';
import { shownRecord } from '../../builds/inputs.ts';
import type { BuildFilter } from '../../builds/service.ts';
import { type BuildState, buildStates } from '../../vocab/index.ts';
import type { Viewer, WebAccess } from '../access/access.ts';
import { readableBuilds } from '../access/readable-builds.ts';
import type { ForgeLinks } from '../assets/format.ts';
import { createAssetsHandler, loadAssets } from '../assets/serve.ts';
import { urlOf } from '../respond.ts';
import type { HttpHandler } from '../types.ts';
import type { Frame, PagesDeps } from './deps.ts';

export type { PagesDeps } from './deps.ts';

import { type FirstLines, firstLines } from './first-lines.ts';
import { type LayoutOptions, layout } from './layout.ts';
import { localPath, sendHtml } from './respond.ts';
import { startPage } from './start-page.ts';
import { buildMain, listMain, notFoundMain, type SignInChoices, signInMain } from './views.ts';

/** The data block the list page's module reads. */
export interface ListPageData {
  builds: unknown[];
  filter: { repo: string; status: string };
}

/** The data block the build page's module reads. */
export interface BuildPageData {
  build: unknown;
  links: ForgeLinks;
  canAct: boolean;
  /** The start of the log, read with the same right as the page (absent: the stream brings every line). */
  log?: FirstLines;
}

const STATES = new Set<string>(buildStates);
const LIST_LIMIT = 50;

/** `GET /`, `GET /builds/:id`, `GET /signin` and `GET /assets/…`. */
export function createPagesHandler(deps: PagesDeps): HttpHandler {
  const assets = deps.assets ?? loadAssets();
  const serveAsset = createAssetsHandler(assets);
  const choices = signInChoices(deps.access);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = urlOf(req);
    const isPage =
      ['/', '/signin', '/start'].includes(url.pathname) || /^\/builds\/[^/]+$/.test(url.pathname);
    if (!isPage) return serveAsset(req, res);
    const viewer = await deps.access.viewer(req);
    const frame: Frame = (o) =>
      layout({ path: url.pathname + url.search, session: sessionOf(deps.access, viewer), assets, ...o });
    const here = url.pathname === '/signin' ? url.searchParams.get('next') : url.pathname + url.search;
    const signIn = (status: number) => {
      const main = signInMain(localPath(here), url.searchParams.get('failed'), choices);
      sendHtml(res, status, frame({ title: 'Sign in', main }));
      return true;
    };
    if (url.pathname === '/signin') return signIn(200);
    // Signed out and not public: the sign-in choices, and no build data at all.
    if (viewer.kind === 'anonymous' && (!deps.access.publicRead || url.pathname === '/start'))
      return signIn(200);
    if (url.pathname === '/') return listPage(deps, viewer, url, res, frame);
    if (url.pathname === '/start') return startPage(deps, viewer, url, res, frame);
    const id = decodeURIComponent(url.pathname.slice('/builds/'.length));
    return buildPage(deps, viewer, id, res, frame);
  };
}

/** Which sign-in ways this Berth offers. */
function signInChoices(access: WebAccess): SignInChoices {
  return { admin: access.adminSignIn, github: 'github' in access.forges, gitlab: 'gitlab' in access.forges };
}

/** What the header says: who is signed in, or a sign-in link; nothing when sign-in is off. */
function sessionOf(access: WebAccess, viewer: Viewer): LayoutOptions['session'] {
  if (viewer.kind === 'admin') return { who: viewer.cookie ? 'admin' : null };
  if (viewer.kind === 'user')
    return { who: `${viewer.login} (${viewer.forge === 'github' ? 'GitHub' : 'GitLab'})` };
  const any = access.adminSignIn || Object.keys(access.forges).length > 0;
  return any ? 'signed-out' : null;
}

async function listPage(
  deps: PagesDeps,
  viewer: Viewer,
  url: URL,
  res: ServerResponse,
  frame: Frame,
): Promise<boolean> {
  const repo = url.searchParams.get('repo')?.trim() ?? '';
  const status = url.searchParams.get('status') ?? '';
  const filter: BuildFilter = {};
  if (repo) filter.repo = repo;
  if (STATES.has(status)) filter.status = [status as BuildState];
  const builds = (await readableBuilds(deps.service, deps.access, viewer, filter, LIST_LIMIT)).map(
    shownRecord,
  );
  const repos = [...new Set(builds.map((b) => b.request.repo))].sort();
  const data: ListPageData = { builds, filter: { repo, status: STATES.has(status) ? status : '' } };
  const start =
    viewer.kind === 'user'
      ? `/start${repo ? `?source=${encodeURIComponent(`${viewer.forge}:${repo}`)}` : ''}`
      : null;
  sendHtml(
    res,
    200,
    frame({ title: 'Builds', script: 'list.ts', main: listMain(data.filter, repos, start), data }),
  );
  return true;
}

async function buildPage(
  deps: PagesDeps,
  viewer: Viewer,
  id: string,
  res: ServerResponse,
  frame: Frame,
): Promise<boolean> {
  const record = await deps.service.get(id);
  const target = record && { forge: record.request.forge, repo: record.request.repo };
  // A build the viewer cannot read is answered exactly like one that does not exist.
  if (!record || !target || !(await deps.access.canRead(viewer, target))) {
    sendHtml(res, 404, frame({ title: 'Not found', main: notFoundMain(`There is no build ${id}.`) }));
    return true;
  }
  const data: BuildPageData = {
    build: shownRecord(record),
    links: deps.links,
    canAct: await deps.access.canWrite(viewer, target),
  };
  const log = deps.logs ? await firstLines(deps.logs, id) : null;
  if (log) data.log = log;
  const title = `${record.request.repo} #${record.buildRef}`;
  const start =
    data.canAct && viewer.kind === 'user' ? `/start?source=${encodeURIComponent(record.source)}` : null;
  sendHtml(res, 200, frame({ title, script: 'build.ts', main: buildMain(start), data }));
  return true;
}
