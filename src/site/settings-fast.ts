/**
 * A light reading path for the settings of macvpn.yaml, the lines before the users list (beside
 * src/site/users-fast.ts, which reads the list). `macvpn profile` reads the file on every start,
 * and yaml's lexer, parser and composer cost about 2 ms of it for a few dozen lines (DESIGN.md §6
 * start-up budget). Only lines whose meaning in YAML is beyond doubt are read this way: comment
 * and blank lines, and top-level `key: value` lines whose value is a double-quoted string without
 * escapes, a plain scalar YAML's core schema resolves to a string, or a one-line flow list of
 * those; and a VPN type's settings block as macvpn writes it: keys indented two spaces, a map
 * one level inside it, `true`/`false` besides those values (issue 12: without it every build of
 * a site with such a block paid ~18 ms of yaml). The result is made of the nodes yaml makes (scalars with their
 * ranges in maps, a flow sequence) and goes through the same validation. Anything else (a comment
 * after a value, a number, a key written twice, other indents, tabs, CRLF) returns undefined and
 * the text goes through `yaml` (test/site/settings-fast.test.ts compares both).
 */
import { LineCounter, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { PLAIN, QUOTED, RESERVED } from './users-fast.js';

export interface FastHead {
  root: YAMLMap;
  lines: LineCounter;
}

const KEY_LINE = /^([a-z_]+): (.+)$/;
const BLOCK_LINE = /^([a-z][a-z0-9_]*):$/;
const VALUE = new RegExp(String.raw`^(?:${QUOTED}|${PLAIN})$`);
const LIST = /^\[ ?(.*?) ?\]$/;
const ITEM = new RegExp(String.raw`(${QUOTED}|${PLAIN})(, ?|$)`, 'y');
const SKIP = /^ *(#.*)?$/;

/** A scalar as yaml composes it, or undefined when yaml would not read it as that string. */
function scalar(raw: string, offset: number): Scalar | undefined {
  const quoted = raw.startsWith('"');
  if (!quoted && RESERVED.test(raw)) return undefined;
  const node = new Scalar(quoted ? raw.slice(1, -1) : raw);
  node.type = quoted ? Scalar.QUOTE_DOUBLE : Scalar.PLAIN;
  node.range = [offset, offset + raw.length, offset + raw.length];
  return node;
}

/** `[ "a", b ]` as yaml's flow sequence, or undefined. */
function list(raw: string, offset: number): YAMLSeq | undefined {
  const m = LIST.exec(raw);
  if (!m) return undefined;
  const seq = new YAMLSeq();
  seq.flow = true;
  seq.range = [offset, offset + raw.length, offset + raw.length];
  const body = m[1]!;
  const start = offset + raw.indexOf(body, 1);
  ITEM.lastIndex = 0;
  while (ITEM.lastIndex < body.length) {
    const at = ITEM.lastIndex;
    const item = ITEM.exec(body);
    if (!item) return undefined;
    const node = scalar(item[1]!, start + at);
    if (!node) return undefined;
    seq.items.push(node);
    if (item[2] === '' && ITEM.lastIndex < body.length) return undefined;
  }
  return seq;
}

const keyNode = (key: string, offset: number): Scalar => {
  const node = new Scalar(key);
  node.type = Scalar.PLAIN;
  node.range = [offset, offset + key.length, offset + key.length];
  return node;
};

/** A value inside a type's block: also `true` or `false`, which yaml's core schema reads as booleans. */
function blockValue(raw: string, offset: number): Scalar | YAMLSeq | undefined {
  if (raw !== 'true' && raw !== 'false') return raw.startsWith('[') ? list(raw, offset) : VALUE.test(raw) ? scalar(raw, offset) : undefined;
  const node = new Scalar(raw === 'true');
  node.type = Scalar.PLAIN;
  node.range = [offset, offset + raw.length, offset + raw.length];
  return node;
}

const NESTED = /^( *)([a-z][a-z0-9_]*):(?: (.+))?$/;

/**
 * The lines from `at` that are indented by `indent` spaces, as yaml's block map: `key: value`
 * lines, and `key:` lines opening a map indented two more (a type's settings block, one level
 * inside it). Comment and blank lines are skipped; a comment indented less ends the map, as does
 * the first key line indented less. Anything else returns undefined.
 */
function readBlock(lines: readonly string[], offsets: readonly number[], at: number, indent: number): { map: YAMLMap; next: number } | undefined {
  const map = new YAMLMap();
  const keys = new Set<string>();
  let i = at;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const lead = line.search(/[^ ]/);
    if (lead < 0) continue; // blank
    if (lead < indent) break;
    if (SKIP.test(line)) continue;
    const m = NESTED.exec(line);
    if (!m || lead !== indent || keys.has(m[2]!)) return undefined;
    const [, , key, raw] = m as unknown as [string, string, string, string | undefined];
    keys.add(key);
    const at0 = offsets[i]! + indent;
    let value: Scalar | YAMLSeq | YAMLMap | undefined;
    if (raw === undefined) {
      const inner = indent < 4 ? readBlock(lines, offsets, i + 1, indent + 2) : undefined;
      if (!inner) return undefined;
      value = inner.map;
      i = inner.next - 1;
    } else value = blockValue(raw, at0 + key.length + 2);
    if (!value) return undefined;
    map.items.push(new Pair(keyNode(key, at0), value));
    // A block map starts at its first key, as yaml's does.
    map.range ??= [at0, at0, at0];
  }
  if (map.items.length === 0) return undefined;
  const end = i < lines.length ? offsets[i]! : offsets[lines.length - 1]! + lines[lines.length - 1]!.length;
  map.range![1] = map.range![2] = end;
  return { map, next: i };
}

/** The settings lines as yaml's map, or undefined when they are not all in the shapes above. */
export function readHead(text: string): FastHead | undefined {
  const lines = new LineCounter();
  const root = new YAMLMap();
  const keys = new Set<string>();
  const all = text.split('\n');
  const offsets: number[] = [];
  let offset = 0;
  for (const line of all) {
    offsets.push(offset);
    lines.addNewLine(offset);
    offset += line.length + 1;
  }
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!;
    const at = offsets[i]!;
    const m = KEY_LINE.exec(line) ?? BLOCK_LINE.exec(line);
    if (m) {
      const [, key, raw] = m as unknown as [string, string, string | undefined];
      if (keys.has(key) || key === 'users') return undefined;
      keys.add(key);
      let value: Scalar | YAMLSeq | YAMLMap | undefined;
      if (raw === undefined) {
        // A VPN type's settings block: the key alone, then its indented lines.
        const block = readBlock(all, offsets, i + 1, 2);
        if (!block) return undefined;
        value = block.map;
        i = block.next - 1;
      } else {
        const valueAt = at + key.length + 2;
        value = raw.startsWith('[') ? list(raw, valueAt) : VALUE.test(raw) ? scalar(raw, valueAt) : undefined;
      }
      if (!value) return undefined;
      root.items.push(new Pair(keyNode(key, at), value));
      // The map starts at its first key, as yaml's does (a missing key is reported there).
      root.range ??= [at, at, at];
    } else if (!SKIP.test(line)) return undefined;
  }
  if (root.items.length === 0) return undefined;
  root.range![1] = root.range![2] = text.length;
  return { root, lines };
}
