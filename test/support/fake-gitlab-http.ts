// HTTP plumbing of the fake GitLab API: replies, GitLab's pagination, archives.
import type { ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';

export type Route = (req: Match) => Promise<Reply> | Reply;
export interface Match {
  params: string[];
  query: Record<string, string>;
  body: Record<string, unknown> | null;
}
export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  bytes?: Buffer;
  headers?: Record<string, string>;
}

export const notFound = (what: string): Reply => ({
  status: 404,
  json: { message: `404 ${what} Not Found` },
});

/** GitLab's offset pagination of `items` at `address`: `page`, `per_page` (default 20, max 100), `Link` and `X-*` headers. */
export function pagedReply(items: unknown[], query: Record<string, string>, address: string): Reply {
  const perPage = Math.min(100, Number(query.per_page ?? 20) || 20);
  const page = Math.max(1, Number(query.page ?? 1) || 1);
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const at = (n: number) =>
    `<${address}?${new URLSearchParams({ ...query, page: String(n), per_page: String(perPage) })}>`;
  const links = [
    ...(page < pages ? [`${at(page + 1)}; rel="next"`] : []),
    `${at(1)}; rel="first"`,
    `${at(pages)}; rel="last"`,
  ];
  return {
    status: 200,
    json: items.slice((page - 1) * perPage, page * perPage),
    headers: {
      link: links.join(', '),
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(items.length),
      'x-total-pages': String(pages),
      'x-next-page': page < pages ? String(page + 1) : '',
    },
  };
}

export function send(res: ServerResponse, reply: Reply): void {
  if (reply.bytes) {
    res.writeHead(reply.status, reply.headers).end(reply.bytes);
  } else if (reply.text !== undefined) {
    res.writeHead(reply.status, reply.headers).end(reply.text);
  } else {
    res
      .writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
      .end(JSON.stringify(reply.json ?? {}));
  }
}

/** A .tar.gz of `files` under the folder `top`, like GitLab's archive endpoint. */
export async function tarGz(top: string, files: Record<string, string>): Promise<Buffer> {
  const tar = pack();
  tar.entry({ name: `${top}/`, type: 'directory' });
  for (const [name, content] of Object.entries(files)) tar.entry({ name: `${top}/${name}` }, content);
  tar.finalize();
  return buffer(tar.pipe(createGzip()));
}
