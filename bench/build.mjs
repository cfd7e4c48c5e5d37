// Budget (DESIGN.md §6): `macvpn build` for 5,000 users signs profiles at ≥ 60 % of
// `openssl speed -multi 2 rsa2048` signatures per second, end to end, measured in this run;
// peak memory ≤ 200 MB and flat as users grow (1,000 vs 5,000 users).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/macvpn.js');
const { renderSiteYaml } = await import(path.join(root, 'dist/site/render-site-yaml.js'));
const { parseSite } = await import(path.join(root, 'dist/site/parse-site.js'));
const { renderPasswords } = await import(path.join(root, 'dist/site/secrets.js'));

function makeSite(users) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'macvpn-bench-build-'));
  const r = spawnSync(process.execPath, [bin, 'init', '--server', 'vpn.example.com', '--dns', '10.0.0.1'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const parsed = parseSite(fs.readFileSync(path.join(dir, 'macvpn.yaml'), 'utf8'));
  const list = Array.from({ length: users }, (_, i) => ({ name: `user${i}`, ...(i % 10 === 0 && { email: `user${i}@example.com` }) }));
  fs.writeFileSync(path.join(dir, 'macvpn.yaml'), renderSiteYaml({ ...parsed.settings, pool: { ...parsed.settings.pool }, users: list }));
  const pw = new Map(list.map((u, i) => [u.name, `Bench-password-${i}-xyz`]));
  fs.writeFileSync(path.join(dir, 'secrets/passwords.json'), renderPasswords(pw), { mode: 0o600 });
  return dir;
}

function opensslRate() {
  const r = spawnSync('openssl', ['speed', '-seconds', '3', '-multi', '2', 'rsa2048'], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => /^rsa\s+2048 bits/.test(l));
  if (!line) throw new Error('cannot read openssl speed output');
  return Number(line.trim().split(/\s+/)[5]);
}

function timedBuild(dir) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, 'build'], { cwd: dir, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
  const peakMb = Number(r.stderr.trim().split('\n').pop()) / 1024;
  return { seconds, peakMb };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const small = makeSite(1000);
const big = makeSite(5000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const ratios = [];
const rates = [];
const peaks = { small: [], big: [] };
timedBuild(big); // warm-up
for (let i = 0; i < rounds; i++) {
  const openssl = opensslRate();
  const b = timedBuild(big);
  const s = timedBuild(small);
  rates.push(5000 / b.seconds);
  ratios.push(5000 / b.seconds / openssl);
  peaks.big.push(b.peakMb);
  peaks.small.push(s.peakMb);
}
const count = fs.readdirSync(path.join(big, 'profiles')).length;
for (const d of [small, big]) fs.rmSync(d, { recursive: true, force: true });
const ratio = median(ratios);
const peak = Math.max(...peaks.big);
const growth = median(peaks.big) - median(peaks.small);
const ok = count === 5000 && ratio >= 0.6 && peak <= 200 && growth <= 30;
console.log(JSON.stringify({
  name: 'build-5000', profiles_per_s: Math.round(median(rates)), ratio_to_openssl_multi2: +ratio.toFixed(3), budget_ratio: 0.6,
  peak_mb_5000: +peak.toFixed(1), peak_mb_1000: +median(peaks.small).toFixed(1), growth_mb: +growth.toFixed(1), budget_peak_mb: 200, ok,
}));
process.exitCode = ok ? 0 : 1;
