// Budget (DESIGN.md §6): `macvpn profile NAME` wall time ≤ 1.5 × `node -e 0`, measured in the
// same run: the two commands alternate A B A B … after warm-ups, and the ratio is taken per pair.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/macvpn.js');
const site = fs.mkdtempSync(path.join(os.tmpdir(), 'macvpn-bench-'));
const sh = (args) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: site, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`macvpn ${args.join(' ')} failed: ${r.stderr}`);
};
sh(['init', '--server', 'vpn.example.com', '--dns', '10.0.0.1']);
sh(['user', 'add', 'alice']);

const time = (args) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: site, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const A = ['-e', '0'];
const B = [bin, 'profile', 'alice'];
for (let i = 0; i < 3; i++) (time(A), time(B));
// 60 pairs: with 30 the median moved by ±0.04 between runs here, against a margin of 0.06.
const pairs = Number(process.env.BENCH_PAIRS ?? 60);
const ratios = [];
const as = [];
const bs = [];
for (let i = 0; i < pairs; i++) {
  const a = time(A);
  const b = time(B);
  as.push(a);
  bs.push(b);
  ratios.push(b / a);
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const ratio = median(ratios);
fs.rmSync(site, { recursive: true, force: true });
console.log(JSON.stringify({
  name: 'profile-startup', node_e0_ms: +median(as).toFixed(1), profile_ms: +median(bs).toFixed(1),
  ratio: +ratio.toFixed(3), ratio_min: +Math.min(...ratios).toFixed(3), ratio_max: +Math.max(...ratios).toFixed(3), budget: 1.5, ok: ratio <= 1.5,
}));
process.exitCode = ratio <= 1.5 ? 0 : 1;
