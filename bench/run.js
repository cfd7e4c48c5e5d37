// `npm run bench`: every budget of DESIGN.md §6, each a ratio or figure measured in this run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scripts = fs.readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'lib.mjs' && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
// Sites the scripts are done with wait here until the end (lib.mjs rm says why).
const trash = fs.mkdtempSync(path.join(os.tmpdir(), 'macvpn-bench-trash-'));
let failed = 0;
for (const s of scripts) {
  process.stderr.write(`bench: ${s}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(dir, s)], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, MACVPN_BENCH_TRASH: trash } });
  if (r.status !== 0) failed++;
}
fs.rmSync(trash, { recursive: true, force: true });
console.log(failed === 0 ? 'bench: every budget holds' : `bench: ${failed} script(s) with a budget missed (MISSED lines above)`);
process.exitCode = failed === 0 ? 0 : 1;
