import type { ServerResponse } from 'node:http';
import type { Viewer } from '../access/access.ts';
import type { Frame, PagesDeps } from './deps.ts';
import { sendHtml } from './respond.ts';
import { type StartPageData, startMain } from './start-view.ts';

const SOURCE = /^(github|gitlab):[\w.-]+(\/[\w.-]+)+$/;

/** `GET /start[?source=…]`: the start form (Wharf's start dialog); the module fills it in. */
export async function startPage(
  deps: PagesDeps,
  viewer: Viewer,
  url: URL,
  res: ServerResponse,
  frame: Frame,
): Promise<boolean> {
  if (viewer.kind !== 'user') {
    const main =
      '<h1>Start a build</h1><p>The start form uses your forge identity: <a href="/signin?next=%2Fstart">sign in with GitHub or GitLab</a>. With the admin token, start builds with <code>POST /api/builds</code>.</p>';
    sendHtml(res, 200, frame({ title: 'Start a build', main }));
    return true;
  }
  const asked = url.searchParams.get('source') ?? '';
  const recent = await deps.service.list({ limit: 500 });
  const mine = recent.filter((r) => r.request.forge === viewer.forge);
  const readable = await deps.access.readable(viewer, mine, (r) => ({
    forge: r.request.forge,
    repo: r.request.repo,
  }));
  const known = [...new Set(readable.map((r) => `${r.request.forge}:${r.request.repo}`))].sort();
  const data: StartPageData = { source: SOURCE.test(asked) ? asked : '', known };
  sendHtml(
    res,
    200,
    frame({ title: 'Start a build', script: 'start.ts', main: startMain(data, viewer.forge), data }),
  );
  return true;
}
