/**
 * PlistObject → XML plist text, the bytes `plist.build` (plist 5, xmlbuilder 15, pretty) writes,
 * without building an xmlbuilder tree: `macvpn build` serialises one profile per user, and the
 * tree cost about a fifth of a signed profile (issue 12). Still an object-to-XML writer, never a
 * template: every value goes through its type's element and the text escaping xmlbuilder applies.
 * test/apple/serialize-plist.test.ts proves byte equality with `plist.build` on every profile shape.
 */
import { bufferView } from '../bytes.js';
import type { PlistValue } from './plist-types.js';

const HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
  '<plist version="1.0">\n';

/** Characters XML 1.0 forbids (xmlbuilder's assertLegalChar): plist.build throws on them too. */
const ILLEGAL = /[\0-\x08\x0B\f\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
/** A cheap first look: only text with one of these can be illegal (surrogates usually pair). */
const SUSPECT = /[\0-\x08\x0B\f\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const SPECIAL = /[&<>\r]/;

/** xmlbuilder's textEscape: & < > and CR. */
function text(s: string): string {
  if (SUSPECT.test(s) && ILLEGAL.test(s)) throw new RangeError(`invalid character in plist string at index ${s.search(ILLEGAL)}`);
  if (!SPECIAL.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

const indents: string[] = [];
const indent = (depth: number) => (indents[depth] ??= '  '.repeat(depth));

const element = (depth: number, tag: string, body: string): string =>
  body === '' ? `${indent(depth)}<${tag}/>\n` : `${indent(depth)}<${tag}>${body}</${tag}>\n`;

/**
 * The lines that hold no value (`<key>` lines, `<dict>`, `</array>`, `<true/>` …), by depth, made
 * once per thread: a profile has some 60 keys from a fixed set, and each `<key>` line made afresh
 * cost two RegExp tests and a string of three parts. Kept flat (charCodeAt flattens V8's string of
 * parts once), so that the profile's text has fewer parts to join when it is encoded. Measured on
 * 2,500 profiles of 8.7 KB: serialising and encoding 22.9 -> 14-16 µs each. Only a key that passed
 * `text` is kept, so an illegal one throws every time; the tables stop growing at LINES_MAX.
 */
const keyLines: Array<Map<string, string>> = [];
const tagLines: Array<Map<string, string>> = [];
const LINES_MAX = 4096;
let linesKept = 0;
function kept(tables: Array<Map<string, string>>, depth: number, id: string, make: () => string): string {
  const table = (tables[depth] ??= new Map());
  let line = table.get(id);
  if (line === undefined) {
    line = make();
    line.charCodeAt(0);
    if (linesKept < LINES_MAX) {
      table.set(id, line);
      linesKept++;
    }
  }
  return line;
}
const keyLine = (depth: number, k: string) => kept(keyLines, depth, k, () => element(depth, 'key', text(k)));
/** `tag` alone on its line: `<dict>`, `</dict>`, `<array/>`, `<true/>` … */
const tagLine = (depth: number, tag: string) => kept(tagLines, depth, tag, () => `${indent(depth)}${tag}\n`);

function value(v: PlistValue | undefined | null, depth: number): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return element(depth, 'string', text(v));
  if (typeof v === 'number') return element(depth, v % 1 === 0 ? 'integer' : 'real', v.toString());
  if (typeof v === 'boolean') return tagLine(depth, v ? '<true/>' : '<false/>');
  if (Array.isArray(v)) {
    if (v.length === 0) return tagLine(depth, '<array/>');
    let out = tagLine(depth, '<array>');
    for (const item of v) out += value(item, depth + 1);
    return out + tagLine(depth, '</array>');
  }
  if (ArrayBuffer.isView(v)) {
    return element(depth, 'data', bufferView(v as Uint8Array).toString('base64'));
  }
  if (v instanceof Date) return element(depth, 'date', v.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (typeof v !== 'object') return '';
  let body = '';
  for (const k of Object.keys(v)) {
    const item = v[k];
    if (item === undefined || item === null) continue;
    body += keyLine(depth + 1, k) + value(item, depth + 1);
  }
  return body === '' ? tagLine(depth, '<dict/>') : tagLine(depth, '<dict>') + body + tagLine(depth, '</dict>');
}

/** The XML plist text of `root`, without a trailing newline (as plist.build returns it). */
export function serializePlist(root: PlistValue): string {
  return HEADER + value(root, 1) + '</plist>';
}
