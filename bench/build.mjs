// Budgets (DESIGN.md §6, issue 12) for `macvpn build`, every figure a ratio of two whole commands
// measured alternately in this run (A B A B …, ratio per pair, median and spread):
//   full build of 5,000 users (build --all over a built tree) vs `openssl speed -multi 2 rsa2048`, ≥ 0.6;
//   the same vs a shell loop of one `openssl smime -sign` per profile (per-profile time), ≥ 10×;
//   incremental build after one `user add`, ≤ 0.1 × the full build;
//   peak memory at 1,000 and 5,000 users, ≤ 200 MB, the larger ≤ 1.2 × the smaller.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { figure, done, macvpn, makeSite, median, rm, spread, timeCommand, timed } from './lib.mjs';

const USERS = 5000;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

function opensslRate() {
  const r = spawnSync('openssl', ['speed', '-seconds', '2', '-multi', '2', 'rsa2048'], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => /^rsa\s+2048 bits/.test(l));
  if (!line) throw new Error('cannot read openssl speed output');
  return Number(line.trim().split(/\s+/)[5]);
}

/** A shell loop of one `openssl smime -sign` per profile over `n` of the site's unsigned profiles: seconds per profile. */
function smimeLoop(site, n) {
  const dir = fs.mkdtempSync(path.join(site, 'smime-'));
  for (let i = 0; i < n; i++) {
    const der = fs.readFileSync(path.join(site, `profiles/user${i}.mobileconfig`));
    const xml = spawnSync('openssl', ['cms', '-verify', '-noverify', '-inform', 'DER', '-binary'], { input: der }).stdout;
    fs.writeFileSync(path.join(dir, `user${i}.plist`), xml);
  }
  const s = path.join(site, 'secrets');
  const script = `for f in ${dir}/*.plist; do openssl smime -sign -signer ${s}/signer-cert.pem -inkey ${s}/signer-key.pem -certfile ${s}/signer-chain.pem -nodetach -outform der -binary -in "$f" -out "$f.der" || exit 1; done`;
  const seconds = timeCommand('sh', ['-c', script]);
  fs.rmSync(dir, { recursive: true, force: true });
  return seconds / n;
}

const small = makeSite(1000);
const big = makeSite(USERS);
timed(big, ['build', '--quiet']); // first build, and warm-up
timed(small, ['build', '--quiet']);
const r = { openssl: [], smime: [], incr: [], full: [], peakBig: [], peakSmall: [], memRatio: [] };
for (let i = 0; i < rounds; i++) {
  const rate = opensslRate();
  const full = timed(big, ['build', '--all', '--quiet']);
  r.full.push(full.seconds);
  r.openssl.push(USERS / full.seconds / rate);
  const perProfile = smimeLoop(big, 200);
  r.smime.push((perProfile * USERS) / full.seconds);
  macvpn(big, ['user', 'add', `extra${i}`]);
  const incr = timed(big, ['build', '--quiet']);
  const full2 = timed(big, ['build', '--all', '--quiet']);
  r.incr.push(incr.seconds / full2.seconds);
  const s = timed(small, ['build', '--all', '--quiet']);
  r.peakBig.push(full.peakMb, full2.peakMb);
  r.peakSmall.push(s.peakMb);
  r.memRatio.push(Math.max(full.peakMb, full2.peakMb) / s.peakMb);
}
const count = fs.readdirSync(path.join(big, 'profiles')).filter((f) => f.endsWith('.mobileconfig')).length;
rm(small, big);
const m = (k) => median(r[k]);
console.log(`build: ${USERS} users, full build ${m('full').toFixed(2)} s (${Math.round(USERS / m('full'))} profiles/s), ${rounds} rounds, ${count} profiles`);
figure('full build / openssl speed -multi 2 rsa2048 (signs/s)', m('openssl').toFixed(3), '>= 0.6', m('openssl') >= 0.6, spread(r.openssl));
figure('full build vs shell loop of openssl smime -sign (x faster)', m('smime').toFixed(1), '>= 10', m('smime') >= 10, spread(r.smime));
figure('incremental build after one user add / full build', m('incr').toFixed(3), '<= 0.1', m('incr') <= 0.1, spread(r.incr));
figure('peak memory, 5,000 users (MB)', Math.max(...r.peakBig).toFixed(1), '<= 200', Math.max(...r.peakBig) <= 200);
figure('peak memory 5,000 / 1,000 users', m('memRatio').toFixed(3), '<= 1.2', m('memRatio') <= 1.2, `1,000 users: ${m('peakSmall').toFixed(1)} MB`);
done();
