/**
 * A light reading path for the settings of macvpn.yaml, the lines before the users list (beside
 * src/site/users-fast.ts, which reads the list). `macvpn profile` reads the file on every start,
 * and yaml's lexer, parser and composer cost about 2 ms of it for a few dozen lines (DESIGN.md §6
 * start-up budget). Only lines whose meaning in YAML is beyond doubt are read this way: comment
 * and blank lines, and top-level `key: value` lines whose value is a double-quoted string without
 * escapes, a plain scalar YAML's core schema resolves to a string, or a one-line flow list of
 * those. The result is made of the nodes yaml makes (scalars with their ranges in a map, a flow
 * sequence) and goes through the same validation. Anything else (a nested block such as a type's
 * settings, a comment after a value, a number, a key written twice, tabs, CRLF) returns undefined
 * and the text goes through `yaml` (test/site/settings-fast.test.ts compares both).
 */
import { LineCounter, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { PLAIN, QUOTED, RESERVED } from './users-fast.js';

export interface FastHead {
  root: YAMLMap;
  lines: LineCounter;
}

const KEY_LINE = /^([a-z_]+): (.+)$/;
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

/** The settings lines as yaml's map, or undefined when they are not all in the shapes above. */
export function readHead(text: string): FastHead | undefined {
  const lines = new LineCounter();
  const root = new YAMLMap();
  const keys = new Set<string>();
  let offset = 0;
  for (const line of text.split('\n')) {
    lines.addNewLine(offset);
    const m = KEY_LINE.exec(line);
    if (m) {
      const [, key, raw] = m as unknown as [string, string, string];
      if (keys.has(key) || key === 'users') return undefined;
      keys.add(key);
      const valueAt = offset + key.length + 2;
      const value = raw.startsWith('[') ? list(raw, valueAt) : VALUE.test(raw) ? scalar(raw, valueAt) : undefined;
      if (!value) return undefined;
      const keyNode = new Scalar(key);
      keyNode.type = Scalar.PLAIN;
      keyNode.range = [offset, offset + key.length, offset + key.length];
      root.items.push(new Pair(keyNode, value));
      // The map starts at its first key, as yaml's does (a missing key is reported there).
      root.range ??= [offset, offset, offset];
    } else if (!SKIP.test(line)) return undefined;
    offset += line.length + 1;
  }
  if (root.items.length === 0) return undefined;
  root.range![1] = root.range![2] = text.length;
  return { root, lines };
}
