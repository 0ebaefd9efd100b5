import { escapeHtml } from '../assets/format.ts';
import type { AssetCatalogue } from '../assets/serve.ts';

/** What every page's frame needs to know. */
export interface LayoutOptions {
  title: string;
  /** Browser module entry under /assets (e.g. `list.ts`); none for static pages. */
  script?: string;
  /** Page body (inside <main>), already escaped HTML. */
  main: string;
  /** JSON handed to the page's module in a non-executable data block. */
  data?: unknown;
  /** Current path, for the sign-in link's return address. */
  path: string;
  /** Who is signed in (`who` null: the admin bearer token), signed out, or null when sign-in is off. */
  session: { who: string | null } | 'signed-out' | null;
  assets: AssetCatalogue;
}

/** The HTML document around a page: head, skip link, site header, main landmark. */
export function layout(o: LayoutOptions): string {
  // The module and everything it imports are asked for at once, not one import level at a time.
  const script = o.script
    ? [
        `<script type="module" src="${o.assets.url(o.script)}"></script>`,
        ...o.assets.preloads(o.script).map((href) => `<link rel="modulepreload" href="${href}">`),
      ].join('\n')
    : '';
  const data =
    o.data === undefined
      ? ''
      : `<script type="application/json" id="berth-data">${JSON.stringify(o.data).replace(/</g, '\\u003c')}</script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)} · Berth</title>
<link rel="icon" href="${o.assets.url('icon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${o.assets.url('style.css')}">
<link rel="stylesheet" href="${o.assets.url('palette.css')}">
${script}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><nav aria-label="Site"><a class="brand" href="/">⚓ Berth</a>${session(o)}</nav></header>
<main id="main" tabindex="-1">
${o.main}
</main>
${data}
</body>
</html>
`;
}

function session(o: LayoutOptions): string {
  if (o.session === null) return '';
  const next = escapeHtml(o.path);
  if (o.session === 'signed-out' && o.path.startsWith('/signin')) return '';
  if (o.session === 'signed-out')
    return `<a class="session" href="/signin?next=${encodeURIComponent(o.path)}">Sign in</a>`;
  if (o.session.who === null) return '<span class="session">Admin token</span>';
  return `<form class="session" method="post" action="/session/end"><input type="hidden" name="next" value="${next}"><span>Signed in as ${escapeHtml(o.session.who)}</span> <button type="submit" class="link">Sign out</button></form>`;
}
