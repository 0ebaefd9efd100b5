import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { ListNode, MapEntry, MapNode, Pos, ScalarNode, ValueNode } from './definition.ts';
import { type Diagnostics, scope } from './diagnostics.ts';
import { posAt } from './positions.ts';

const MAX_DEPTH = 64;

/**
 * Turns a parsed YAML document into ValueNodes: aliases and `<<` merge keys
 * resolved, keys checked (non-empty strings, no duplicates). A node reached through
 * several aliases is converted once and shared, so alias bombs cost nothing.
 */
export class NodeConverter {
  readonly #doc: Document.Parsed;
  readonly #text: string;
  readonly #lineStarts: number[];
  readonly #diags: Diagnostics;
  readonly #done = new Map<Node, ValueNode>();
  readonly #active = new Set<Node>();

  constructor(doc: Document.Parsed, text: string, lineStarts: number[], diags: Diagnostics) {
    this.#doc = doc;
    this.#text = text;
    this.#lineStarts = lineStarts;
    this.#diags = diags;
  }

  convert(node: unknown, path: string, depth = 0): ValueNode {
    const target = this.#deref(node, path);
    if (target === null) return this.#empty(node);
    const known = this.#done.get(target);
    if (known) return known;
    if (this.#active.has(target) || depth > MAX_DEPTH) {
      this.#diags.error(this.#pos(target), path, 'value nests too deeply (recursive alias?)');
      return this.#empty(target);
    }
    this.#active.add(target);
    const value = this.#convertNode(target, path, depth);
    this.#active.delete(target);
    this.#done.set(target, value);
    return value;
  }

  #deref(node: unknown, path: string): Node | null {
    if (!isAlias(node)) return isScalar(node) || isMap(node) || isSeq(node) ? node : null;
    const target = node.resolve(this.#doc);
    if (!target) this.#diags.error(this.#pos(node), path, `unknown alias "*${node.source}"`);
    return target && !isAlias(target) ? target : null;
  }

  #convertNode(node: Node, path: string, depth: number): ValueNode {
    if (isSeq(node)) {
      const items = node.items.map((item, i) => this.convert(item, scope(path, i), depth + 1));
      return { kind: 'list', items, pos: this.#pos(node) } satisfies ListNode;
    }
    if (isMap(node)) return this.#convertMap(node.items as Pair[], this.#pos(node), path, depth);
    return this.#scalar(node, path);
  }

  #convertMap(pairs: Pair[], pos: Pos, path: string, depth: number): MapNode {
    const entries: MapEntry[] = [];
    const seen = new Set<string>();
    const merged: MapEntry[] = [];
    for (const pair of pairs) {
      if (!isPair(pair)) continue;
      if (isScalar(pair.key) && typeof pair.key.value === 'symbol') {
        merged.push(...this.#mergeSources(pair.value, path, depth));
        continue;
      }
      const key = this.#key(pair.key, pos, path);
      if (key === null) continue;
      if (seen.has(key.name)) {
        this.#diags.error(key.pos, scope(path, key.name), `duplicate key "${key.name}"`);
        continue;
      }
      seen.add(key.name);
      entries.push({
        key: key.name,
        keyPos: key.pos,
        value: this.convert(pair.value, scope(path, key.name), depth + 1),
      });
    }
    for (const entry of merged) {
      if (seen.has(entry.key)) continue;
      seen.add(entry.key);
      entries.push(entry);
    }
    return { kind: 'map', entries, pos };
  }

  /** Entries a `<<:` brings in: one map, or a list of maps (earlier ones win). */
  #mergeSources(value: unknown, path: string, depth: number): MapEntry[] {
    const source = this.convert(value, path, depth + 1);
    const maps = source.kind === 'list' ? source.items : [source];
    const entries: MapEntry[] = [];
    for (const map of maps) {
      if (map.kind !== 'map') {
        this.#diags.error(map.pos, path, 'a merge key "<<" needs a map or a list of maps');
        continue;
      }
      entries.push(...map.entries);
    }
    return entries;
  }

  #key(node: unknown, mapPos: Pos, path: string): { name: string; pos: Pos } | null {
    const target = isAlias(node) ? node.resolve(this.#doc) : node;
    const pos = isScalar(node) || isAlias(node) ? this.#pos(node) : mapPos;
    if (!isScalar(target) || target.value === null || target.value === undefined) {
      this.#diags.error(pos, path, 'map key must be a non-empty string');
      return null;
    }
    if (typeof target.value !== 'string') {
      const text = String(target.source ?? target.value);
      this.#diags.error(pos, path, `map key must be a string: quote it ("${text}")`);
      return null;
    }
    if (target.value === '') {
      this.#diags.error(pos, path, 'map key must not be empty');
      return null;
    }
    return { name: target.value, pos };
  }

  #scalar(node: Node, path: string): ScalarNode {
    const range = node.range ?? [0, 0, 0];
    const source = this.#text.slice(range[0], range[1]);
    const raw = isScalar(node) ? node.value : null;
    let value: ScalarNode['value'];
    if (raw === null || raw === undefined) value = null;
    else if (typeof raw === 'string' || typeof raw === 'boolean') value = raw;
    else if (typeof raw === 'number') value = raw;
    else {
      this.#diags.error(this.#pos(node), path, 'unsupported value: use a string, number or boolean');
      value = null;
    }
    const plainNumber = typeof value === 'number' && isScalar(node) && node.type === 'PLAIN';
    const text =
      value === null
        ? ''
        : plainNumber
          ? ((node as { source?: string }).source ?? String(value))
          : String(value);
    return { kind: 'scalar', value, text, pos: this.#pos(node), offset: range[0], source };
  }

  #empty(node: unknown): ScalarNode {
    const offset = (node as Node | null)?.range?.[0] ?? 0;
    return {
      kind: 'scalar',
      value: null,
      text: '',
      pos: posAt(this.#lineStarts, offset),
      offset,
      source: '',
    };
  }

  #pos(node: Node): Pos {
    return posAt(this.#lineStarts, node.range?.[0] ?? 0);
  }
}
