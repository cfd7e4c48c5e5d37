/**
 * Issue 8: the VPN type is one seam (DESIGN.md §4). Outside the per-type folders and the
 * registry, no source file names a type (`l2tp`, `ikev2`) or tests a `vpn` value: shared code
 * asks the registry. The same check by hand:
 *   grep -rniE 'l2tp|ikev2' src --include=*.ts | grep -vE '^src/vpn/(l2tp/|ikev2/|index\.ts)'
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { VPN_TYPES } from '../../src/vpn/index.js';
import { TYPE_INIT_OPTIONS } from '../../src/vpn/options.js';

const ids = Object.keys(VPN_TYPES);
const files = fs.readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `src/${f}`)
  // The registry is src/vpn/index.ts and its light half for the command line, src/vpn/options.ts.
  .filter((f) => !/^src\/vpn\/(index\.ts|options\.ts|[^/]+\/)/.test(f) || f === 'src/vpn/vpn-type.ts');

describe('one seam for the VPN type', () => {
  it('has the types it is about', () => {
    expect(ids).toEqual(['l2tp', 'ikev2']);
    expect(files).toContain('src/vpn/vpn-type.ts');
    expect(files).toContain('src/cli/commands/check.ts');
  });
  it('declares on the command line exactly the init options each type takes', () => {
    const camel = (flags: string) => flags.split(' ')[0]!.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    for (const id of ids) expect(TYPE_INIT_OPTIONS[id]!.map((o) => camel(o.flags))).toEqual(VPN_TYPES[id]!.initOptions);
  });
  it.each(files)('%s names no VPN type and never tests a vpn value', (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const id of ids) expect(text.toLowerCase().includes(id), `${file} names ${id}`).toBe(false);
    expect(text).not.toMatch(/\.vpn\s*[!=]==?\s*['"`]/);
  });
});
