/**
 * Bundles the CLI into dist/macvpn.cjs and writes a V8 code cache beside it.
 * Why: `macvpn profile` must start within 1.5× of `node -e 0` (DESIGN.md §6). Loading commander,
 * yaml and plist as separate ESM files costs about 2× (docs/performance.md §1.6); one CommonJS
 * bundle plus V8 code cache (vm.Script cachedData) brings it to about 1.2×.
 * nodemailer and node-forge stay external: only `mail` and `signer import` load them.
 */
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import Module, { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/macvpn.cjs');

await esbuild.build({
  entryPoints: [path.join(root, 'src/cli/main.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  external: ['nodemailer', 'node-forge'],
  // import() of an external becomes require(): the bundle runs inside vm.Script (see bin/macvpn.js).
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
});

// The code cache: compile the bundle exactly as bin/macvpn.js does, run its top level, save.
const source = fs.readFileSync(out, 'utf8');
const script = new vm.Script(Module.wrap(source), { filename: out });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(out), mod, out, path.dirname(out));
fs.writeFileSync(out + '.cache', script.createCachedData());
