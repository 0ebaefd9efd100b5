import { type Document, isScalar, parseAllDocuments } from 'yaml';
import { CONCURRENCY_KEY, parseConcurrency } from './concurrency.ts';
import type { Definition, MapNode } from './definition.ts';
import { Diagnostics, START, sortDiagnostics } from './diagnostics.ts';
import { parseEnvironments } from './environments.ts';
import { parseInputs } from './inputs.ts';
import { lineStartsOf, posAt } from './positions.ts';
import { parseRerun, RERUN_KEY } from './rerun.ts';
import { parseStage } from './stages.ts';
import type { Diagnostic } from './types.ts';
import { NodeConverter } from './yaml-nodes.ts';

/** The YAML document of a file, or a diagnostic saying why there is not exactly one. */
function singleDocument(text: string, lineStarts: number[], diags: Diagnostics): Document.Parsed | null {
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      uniqueKeys: false,
      merge: true,
      prettyErrors: false,
    }) as Document.Parsed[];
  } catch (error) {
    diags.error(START, '', `cannot parse YAML: ${(error as Error).message}`);
    return null;
  }
  const isEmpty = (d: Document.Parsed) =>
    d.contents === null || (isScalar(d.contents) && d.contents.value === null);
  const content = docs.filter((d) => !isEmpty(d) || d.errors.length > 0);
  if (content.length === 0) {
    diags.error(START, '', 'empty document: the file defines no stages');
    return null;
  }
  if (docs.length > 1) {
    const second = docs[1]?.range[0] ?? 0;
    diags.error(
      posAt(lineStarts, second),
      '',
      `the file holds ${docs.length} YAML documents; exactly one is allowed`,
    );
    return null;
  }
  const doc = content[0] as Document.Parsed;
  for (const problem of doc.errors) {
    diags.error(posAt(lineStarts, problem.pos[0]), '', yamlMessage(problem.message));
  }
  for (const problem of doc.warnings) {
    diags.warning(posAt(lineStarts, problem.pos[0]), '', yamlMessage(problem.message));
  }
  return doc.errors.length > 0 ? null : doc;
}

/** The yaml library's messages end with " at line L, column C" and a code frame: keep the sentence. */
function yamlMessage(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

/** Parses and checks the structure of a `.wharf-ci.yml`. Never throws. */
export function parseDefinition(
  text: string,
  options: { file: string },
): { definition: Definition | null; diagnostics: Diagnostic[] } {
  const diags = new Diagnostics(options.file);
  const lineStarts = lineStartsOf(typeof text === 'string' ? text : '');
  const doc = typeof text === 'string' ? singleDocument(text, lineStarts, diags) : null;
  if (typeof text !== 'string') diags.error(START, '', 'empty document: no text given');
  if (!doc) return { definition: null, diagnostics: sortDiagnostics(diags.items) };
  const root = new NodeConverter(doc, text, lineStarts, diags).convert(doc.contents, '');
  if (root.kind !== 'map') {
    const what = root.kind === 'list' ? 'a list' : root.value === null ? 'empty' : 'a scalar';
    diags.error(root.pos, '', `the top level must be a map of stages, but it is ${what}`);
    return { definition: null, diagnostics: sortDiagnostics(diags.items) };
  }
  const definition = buildDefinition(root, options.file, lineStarts, diags);
  return { definition, diagnostics: sortDiagnostics(diags.items) };
}

function buildDefinition(root: MapNode, file: string, lineStarts: number[], diags: Diagnostics): Definition {
  const inputsEntry = root.entries.find((e) => e.key === 'inputs');
  const envEntry = root.entries.find((e) => e.key === 'environments');
  const concurrencyEntry = root.entries.find((e) => e.key === CONCURRENCY_KEY);
  const rerunEntry = root.entries.find((e) => e.key === RERUN_KEY);
  const reserved = new Set(
    [inputsEntry, envEntry, concurrencyEntry, rerunEntry].filter((e) => e !== undefined),
  );
  const environments = parseEnvironments(envEntry, diags);
  const definition: Definition = {
    file,
    inputs: parseInputs(inputsEntry, diags),
    inputsPos: inputsEntry?.keyPos ?? START,
    environments,
    stages: [],
    concurrency: parseConcurrency(concurrencyEntry, diags),
    rerun: parseRerun(rerunEntry, diags),
    lineStarts,
  };
  for (const entry of root.entries) {
    if (reserved.has(entry)) continue;
    const stage = parseStage(entry, environments, diags);
    if (stage) definition.stages.push(stage);
  }
  if (root.entries.every((e) => reserved.has(e))) {
    // Valid, as for the original: a file of only inputs/environments runs nothing.
    diags.warning(root.pos, '', 'the file defines no stages');
  }
  return definition;
}
