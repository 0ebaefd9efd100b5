import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { urlOf } from '../respond.ts';
import type { HttpHandler } from '../types.ts';
import { paletteCss } from './palette.ts';

/** One file the browser may load from `/assets/`. */
interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** The assets by name plus a short version hash for cache-busting URLs. */
export interface AssetCatalogue {
  get(name: string): Asset | undefined;
  /** `/assets/<name>?v=<hash>`: safe to cache forever. */
  url(name: string): string;
  /**
   * The URLs of every module `entry` imports, directly or not, as the browser asks for
   * them (`/assets/<name>`: the imports name no version), for `<link rel="modulepreload">`.
   */
  preloads(entry: string): string[];
}

const TYPES: Record<string, string> = {
  '.ts': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
/** Server-only modules in the folder that the browser never needs. */
const SERVER_ONLY = new Set(['serve.ts', 'palette.ts']);

/**
 * Node's own type stripper (the one that runs Berth's sources), without the one-time
 * ExperimentalWarning it prints on stderr next to the JSON logs; other warnings pass.
 */
function stripTypes(text: string): string {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes('stripTypeScriptTypes')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return stripTypeScriptTypes(text);
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * Reads every asset of `dir` (default: this module's folder in src/; `npm run build`
 * copies them to dist/web/assets/) once at startup: TypeScript modules are
 * type-stripped into plain JavaScript.
 */
export function loadAssets(dir: URL = new URL('./', import.meta.url)): AssetCatalogue {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const ext = name.slice(name.lastIndexOf('.'));
    const type = TYPES[ext];
    if (!type || SERVER_ONLY.has(name)) continue;
    const text = readFileSync(new URL(name, dir), 'utf8');
    assets.set(name, make(ext === '.ts' ? stripTypes(text) : text, type));
  }
  assets.set('palette.css', make(paletteCss(), TYPES['.css']!));
  const imports = new Map<string, string[]>();
  for (const [name, asset] of assets)
    if (name.endsWith('.ts')) imports.set(name, staticImports(asset.body.toString('utf8')));
  return {
    get: (name) => assets.get(name),
    url: (name) => `/assets/${name}?v=${assets.get(name)?.etag.slice(1, 11) ?? '0'}`,
    preloads: (entry) => [...reachable(entry, imports)].map((name) => `/assets/${name}`),
  };
}

/**
 * The sibling modules a type-stripped module imports statically (`import … from './x.ts'`,
 * `import './x.ts'`, `export … from './x.ts'`; type-only imports are gone by then).
 */
function staticImports(js: string): string[] {
  const found = new Set<string>();
  const statement = /^\s*(?:import|export)\s+(?:[^'";]*?\sfrom\s*)?['"]\.\/([^'"/]+)['"]/gm;
  for (const match of js.matchAll(statement)) found.add(match[1] as string);
  return [...found];
}

/** Every module reachable from `entry`'s imports (not `entry` itself), nearest first. */
function reachable(entry: string, imports: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = [...(imports.get(entry) ?? [])];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name) || name === entry) continue;
    seen.add(name);
    queue.push(...(imports.get(name) ?? []));
  }
  return seen;
}

function make(text: string, type: string): Asset {
  const body = Buffer.from(text);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 20)}"` };
}

/** `GET /assets/<name>`: versioned URLs cache for a year, others revalidate by ETag. */
export function createAssetsHandler(catalogue: AssetCatalogue): HttpHandler {
  return async (req, res) => {
    const url = urlOf(req);
    if (!url.pathname.startsWith('/assets/') || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const asset = catalogue.get(url.pathname.slice('/assets/'.length));
    if (!asset) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
      return true;
    }
    const versioned = url.searchParams.get('v') === asset.etag.slice(1, 11);
    const headers = {
      'content-type': asset.type,
      etag: asset.etag,
      'cache-control': versioned ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'content-length': asset.body.length });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
    return true;
  };
}
