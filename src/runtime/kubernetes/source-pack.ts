import { lstat, readFile, readlink } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { pack } from 'tar-stream';
import { ConfigError } from '../../errors.ts';
import { SUBSTITUTION_LIMITS, SubstitutionLimitError } from '../../pipeline/index.ts';
import type { PlannedStep } from '../../pipeline/types.ts';
import { listSourceFiles } from '../../source/list-files.ts';
import { SourceRoot } from '../../source/source-root.ts';
import type { BuildContext } from '../types.ts';

/** The tar archives a build's steps receive, packed once in `open()`. */
export interface SourceArchives {
  /** The archive for a step: the working tree, or only its listed (substituted) files. */
  forStep(step: PlannedStep): Buffer;
  /** Drops the archives from memory. */
  release(): void;
}

interface Entry {
  path: string;
  substitute: boolean;
}

/**
 * Where the archive's entries go: by default relative (extracted at the step's repo
 * folder); with `underRepoDir`, under the step's repoDir (extracted at `/`), each
 * folder listed, and everything group-writable by `group` (a container engine's
 * putArchive needs the target to exist, and a step whose image runs as another
 * user still writes its source through that group).
 */
export interface ArchiveLayout {
  underRepoDir: boolean;
  group: number;
}

const filesKey = (step: PlannedStep, layout: ArchiveLayout | null): string =>
  (layout ? `${step.repoDir}\n` : '') +
  (step.source.kind === 'repo' ? 'repo' : JSON.stringify(step.source.files));

/** Packs the working tree (if any step needs it) and each distinct listed-files set. */
export async function packSources(
  build: BuildContext,
  layout: ArchiveLayout | null = null,
): Promise<SourceArchives> {
  const archives = new Map<string, Buffer>();
  const steps = build.plan.stages.flatMap((stage) => stage.steps);
  for (const step of steps) {
    const key = filesKey(step, layout);
    if (archives.has(key)) continue;
    const entries: Entry[] =
      step.source.kind === 'repo'
        ? (await listSourceFiles(build.source.dir, { respectGitignore: build.source.respectGitignore })).map(
            (path) => ({ path, substitute: false }),
          )
        : step.source.files;
    const placed = layout ? { root: step.repoDir, group: layout.group } : null;
    archives.set(key, await packEntries(build.source.dir, entries, build.plan.variables, placed));
  }
  return {
    forStep: (step) => archives.get(filesKey(step, layout)) ?? Buffer.alloc(1024),
    release: () => archives.clear(),
  };
}

/** Replaces `${name}` with the variable's value; unknown names stay as written. Throws past `maxLength`. */
export function substituteVariables(
  text: string,
  variables: Record<string, string>,
  maxLength = SUBSTITUTION_LIMITS.totalLength,
): string {
  let length = text.length;
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g, (match, name: string) => {
    const value = variables[name] ?? match;
    length += value.length - match.length;
    if (length > maxLength) throw new SubstitutionLimitError(maxLength);
    return value;
  });
}

async function packEntries(
  dir: string,
  entries: Entry[],
  variables: Record<string, string>,
  placed: { root: string; group: number } | null,
): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const finished = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  const sourceRoot = new SourceRoot(dir);
  const folders = new Set<string>();
  const root = placed ? placed.root.replace(/^\/+|\/+$/g, '') : '';
  const addFolders = async (path: string) => {
    if (!placed) return;
    const parts = path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (folders.has(folder)) continue;
      folders.add(folder);
      // The folders above the repo folder stay root's; the repo folder and below are the group's.
      const ours = folder.length >= root.length;
      const owner = ours ? { gid: placed.group, mode: 0o2775 } : { gid: 0, mode: 0o755 };
      await add(archive, { name: `${folder}/`, type: 'directory', uid: 0, mtime: new Date(0), ...owner });
    }
  };
  if (placed) await addFolders(`${root}/.`);
  for (const entry of entries) {
    const relative = normalize(entry.path);
    if (!(await sourceRoot.folderInside(relative)))
      throw new ConfigError(`file "${entry.path}" is outside the working tree`);
    const full = join(dir, relative);
    const stats = await lstat(full).catch(() => null);
    if (!stats) continue;
    const name = placed ? `${root}/${relative}` : relative;
    await addFolders(name);
    const mode = placed ? (stats.mode & 0o7777) | 0o060 : stats.mode & 0o7777;
    const owner = placed ? { uid: 0, gid: placed.group } : {};
    const header = { name, mode, mtime: stats.mtime, ...owner };
    if (stats.isSymbolicLink()) {
      await add(archive, { ...header, type: 'symlink', linkname: await readlink(full) });
    } else if (stats.isFile()) {
      const content = await readFile(full);
      const body = entry.substitute ? Buffer.from(substituted(entry.path, content, variables)) : content;
      await add(archive, { ...header, type: 'file', size: body.length }, body);
    }
  }
  archive.finalize();
  await finished;
  return Buffer.concat(chunks);
}

function substituted(path: string, content: Buffer, variables: Record<string, string>): string {
  try {
    return substituteVariables(content.toString('utf8'), variables);
  } catch (error) {
    if (error instanceof SubstitutionLimitError)
      throw new ConfigError(new SubstitutionLimitError(SUBSTITUTION_LIMITS.totalLength, path).message);
    throw error;
  }
}

function add(
  archive: ReturnType<typeof pack>,
  header: Parameters<ReturnType<typeof pack>['entry']>[0],
  body?: Buffer,
) {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolve());
    if (body) archive.entry(header, body, done);
    else archive.entry(header, done);
  });
}
