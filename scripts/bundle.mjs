/**
 * Bundles the CLI into dist/macvpn.cjs and writes a V8 code cache beside it.
 * Why: `macvpn profile` must start within 1.5× of `node -e 0` (DESIGN.md §6). Loading commander,
 * yaml and plist as separate ESM files costs about 2× (docs/performance.md §1.6); one CommonJS
 * bundle plus V8 code cache (vm.Script cachedData) brings it to about 1.2×.
 * nodemailer, node-forge and @xmldom/xmldom stay external: only `mail`, `signer import` and the
 * commands that read plists (`verify`, `check`) load them. A module in the bundle costs every
 * start its share of the code cache even when it never runs (V8 keeps every function the bundle
 * declares): @xmldom/xmldom was 91 KB of the bundle and 85 KB of the cache, about 0.5 ms of
 * `macvpn profile`, for about 1 ms more on `verify`, which now compiles it without a cache.
 */
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/macvpn.cjs');

/**
 * `plist` re-exports its parser, which pulls in @xmldom/xmldom and builds its entity tables at
 * start-up; the CLI only ever calls plist.build (verify reads plists with its own typed reader),
 * so the bundle takes plist's build module alone. Importing `parse` from 'plist' in src/ would
 * fail the bundle loudly.
 */
const plistBuildOnly = {
  name: 'plist-build-only',
  setup(b) {
    b.onResolve({ filter: /^plist$/ }, () => ({ path: path.join(root, 'node_modules/plist/dist/build.js') }));
  },
};

/**
 * node:child_process (with net, dgram and stream) costs about 1.5 ms of every start, and only
 * rare paths use it: commander for executable subcommands, which macvpn does not have, and
 * src/io/write-files.ts for `sync -f` in a big build. Every importer in the bundle gets a
 * stand-in whose exports are getters that require the real module on first use (getters, not a
 * Proxy, so that esbuild's ESM interop, which copies an object's own keys, sees every name).
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    // The stand-in's own require stays the real module.
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.namespace === 'macvpn' ? undefined : { path: 'lazy-child-process', namespace: 'macvpn' },
    );
    b.onLoad({ filter: /.*/, namespace: 'macvpn' }, () => ({
      contents: `for (const key of ${JSON.stringify(Object.keys(createRequire(import.meta.url)('node:child_process')))}) {
  Object.defineProperty(exports, key, { enumerable: true, get: () => require('node:child_process')[key] });
}`,
      loader: 'js',
    }));
  },
};

await esbuild.build({
  entryPoints: [path.join(root, 'src/cli/main.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: process.env.MACVPN_NO_MINIFY !== "1",
  legalComments: 'none',
  external: ['nodemailer', 'node-forge', '@xmldom/xmldom'],
  // import() of an external becomes require(): the bundle runs inside vm.Script (see bin/macvpn.js).
  supported: { 'dynamic-import': false },
  plugins: [plistBuildOnly, lazyChildProcess],
  logLevel: 'warning',
  // The file is the CommonJS wrapper function itself, compiled as is by bin/load.js: wrapping
  // it at run time (Module.wrap) would copy its half a megabyte into a second string on every
  // start, young memory that costs a scavenge (DESIGN.md §6). Only bin/load.js runs it.
  banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
  footer: { js: '\n})' },
});

// The code cache: compile the bundle exactly as bin/macvpn.js does, then run the hot command
// once in a throw-away site so that the functions they need are compiled, and save the cache
// (V8 includes the functions compiled so far).
const source = fs.readFileSync(out, 'utf8');
const script = new vm.Script(source, { filename: out });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(out), mod, out, path.dirname(out));
// The site is made by a separate process so that only the hot path (`profile`) is compiled into
// the cache: a bigger cache costs every command its deserialisation time.
const site = fs.mkdtempSync(path.join(os.tmpdir(), 'macvpn-warm-'));
const sink = { write: () => true };
const io = { stdout: sink, stderr: sink, env: {}, cwd: site, readStdin: async () => '' };
try {
  const bin = path.join(root, 'bin/macvpn.js');
  for (const args of [['init', '--server', 'vpn.example.com', '--dns', '192.168.1.1'], ['user', 'add', 'alice']]) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: site, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`warm-up "macvpn ${args.join(' ')}" failed: ${r.stderr}`);
  }
  for (const args of [['profile', 'alice'], ['profile', 'alice', '--unsigned', '--no-password']]) {
    const code = await mod.exports.main(args, io);
    if (code !== 0) throw new Error(`warm-up "macvpn ${args.join(' ')}" exited ${code}`);
  }
} finally {
  fs.rmSync(site, { recursive: true, force: true });
}
fs.writeFileSync(out + '.cache', script.createCachedData());
