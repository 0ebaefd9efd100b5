import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BuildFilter, BuildService } from '../../builds/service.ts';
import type { BuildState } from '../../builds/types.ts';
import { type ForgeLinks, maskRecord } from '../assets/format.ts';
import { type AssetCatalogue, createAssetsHandler, loadAssets } from '../assets/serve.ts';
import type { SessionAuth } from '../auth/session.ts';
import { urlOf } from '../respond.ts';
import type { HttpHandler } from '../types.ts';
import { type LayoutOptions, layout } from './layout.ts';
import { localPath, sendHtml } from './respond.ts';
import { buildMain, listMain, notFoundMain, signInMain } from './views.ts';

/** What the human pages need. `auth` null = no BERTH_API_TOKEN: pages are read-only. */
export interface PagesDeps {
  service: BuildService;
  auth: SessionAuth | null;
  /** Web base URLs for commit links (github.com or GHE, GITLAB_URL). */
  links: ForgeLinks;
  /** Defaults to the files next to serve.ts. */
  assets?: AssetCatalogue;
}

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
}

const STATES = new Set<string>(['queued', 'running', 'success', 'failed', 'error', 'cancelled']);
const LIST_LIMIT = 50;

/** `GET /`, `GET /builds/:id`, `GET /signin` and `GET /assets/…`. */
export function createPagesHandler(deps: PagesDeps): HttpHandler {
  const assets = deps.assets ?? loadAssets();
  const serveAsset = createAssetsHandler(assets);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = urlOf(req);
    const frame = (o: Pick<LayoutOptions, 'title' | 'main'> & Partial<LayoutOptions>): string =>
      layout({ path: url.pathname + url.search, signedIn: signedIn(deps, req), assets, ...o });
    if (url.pathname === '/') return listPage(deps, url, res, frame);
    if (url.pathname === '/signin') {
      const next = localPath(url.searchParams.get('next'));
      sendHtml(
        res,
        200,
        frame({
          title: 'Sign in',
          main: signInMain(next, url.searchParams.has('failed'), deps.auth !== null),
        }),
      );
      return true;
    }
    const build = /^\/builds\/([^/]+)$/.exec(url.pathname);
    if (build) return buildPage(deps, decodeURIComponent(build[1] ?? ''), req, res, frame);
    return serveAsset(req, res);
  };
}

function signedIn(deps: PagesDeps, req: IncomingMessage): boolean | null {
  return deps.auth ? deps.auth.authorized(req) : null;
}

type Frame = (o: Pick<LayoutOptions, 'title' | 'main'> & Partial<LayoutOptions>) => string;

async function listPage(deps: PagesDeps, url: URL, res: ServerResponse, frame: Frame): Promise<boolean> {
  const repo = url.searchParams.get('repo')?.trim() ?? '';
  const status = url.searchParams.get('status') ?? '';
  const filter: BuildFilter = { limit: LIST_LIMIT };
  if (repo) filter.repo = repo;
  if (STATES.has(status)) filter.status = [status as BuildState];
  const builds = (await deps.service.list(filter)).map(maskRecord);
  const repos = [...new Set(builds.map((b) => b.request.repo))].sort();
  const data: ListPageData = { builds, filter: { repo, status: STATES.has(status) ? status : '' } };
  sendHtml(res, 200, frame({ title: 'Builds', script: 'list.ts', main: listMain(data.filter, repos), data }));
  return true;
}

async function buildPage(
  deps: PagesDeps,
  id: string,
  req: IncomingMessage,
  res: ServerResponse,
  frame: Frame,
): Promise<boolean> {
  const record = await deps.service.get(id);
  if (!record) {
    sendHtml(res, 404, frame({ title: 'Not found', main: notFoundMain(`There is no build ${id}.`) }));
    return true;
  }
  const data: BuildPageData = {
    build: maskRecord(record),
    links: deps.links,
    canAct: signedIn(deps, req) === true,
  };
  const title = `${record.request.repo} #${record.buildRef}`;
  sendHtml(res, 200, frame({ title, script: 'build.ts', main: buildMain(), data }));
  return true;
}
