/**
 * The signing path must not load node-forge (DESIGN.md §6 start-up budget); purity of src/signing
 * is checked with the rest of the core in test/purity.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const DIR = path.join(ROOT, 'src/signing');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.ts'));
const source = (f: string) => fs.readFileSync(path.join(DIR, f), 'utf8');
const imports = (f: string) => [...source(f).matchAll(/^import [^;]*? from '([^']+)'/gm)].map((m) => m[1]!);

describe('src/signing and node-forge', () => {
  it('sign-profile.ts and everything it imports leave node-forge alone (only pkcs12.ts uses it)', () => {
    const seen = new Set<string>();
    const walk = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const m of imports(f)) {
        expect(m).not.toBe('node-forge');
        if (m.startsWith('./')) walk(m.slice(2).replace(/\.js$/, '.ts'));
      }
    };
    for (const entry of ['sign-profile.ts', 'signer.ts', 'verify-cms.ts', 'signer-trust.ts']) walk(entry);
    expect(seen.has('pkcs12.ts')).toBe(false);
    expect(files.filter((f) => imports(f).includes('node-forge'))).toEqual(['pkcs12.ts']);
  });
});
