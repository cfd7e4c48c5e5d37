// Budgets (DESIGN.md §6) for IKEv2 with 5,000 certificate users, against the L2TP build of the
// same size measured alternately in this run:
//   the build that re-signs every profile (build --all) ≤ 1.25 × the L2TP build;
//   the first build, which also issues 5,000 keys, certificates and PKCS#12 identities, ≤ 2 ×;
//   peak memory of either, ≤ 200 MB (the budget of any 5,000-user build).
// Both re-sign builds are timed in the same steady state: a build that replaces profiles keeps
// the old files as spares and the next one writes into them (src/io/recycle.ts), so the IKEv2
// site is rebuilt once, untimed, before its re-sign build is timed, as the L2TP site has been.
import fs from 'node:fs';
import path from 'node:path';
import { figure, done, makeSite, median, rm, spread, timed } from './lib.mjs';

const USERS = 5000;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const l2tp = makeSite(USERS);
timed(l2tp, ['build', '--quiet']);
const resign = [];
const first = [];
const peaks = [];
for (let i = 0; i < rounds; i++) {
  const ike = makeSite(USERS, ['--vpn', 'ikev2']);
  const firstRun = timed(ike, ['build', '--quiet']);
  const a = firstRun.seconds;
  const b = timed(l2tp, ['build', '--all', '--quiet']).seconds;
  timed(ike, ['build', '--all', '--quiet']);
  const resignRun = timed(ike, ['build', '--all', '--quiet']);
  const c = resignRun.seconds;
  peaks.push(firstRun.peakMb, resignRun.peakMb);
  const d = timed(l2tp, ['build', '--all', '--quiet']).seconds;
  first.push(a / b);
  resign.push(c / d);
  if (i === rounds - 1) console.log(`ikev2: first build ${a.toFixed(2)} s, re-sign ${c.toFixed(2)} s, l2tp ${b.toFixed(2)}/${d.toFixed(2)} s; ${fs.readdirSync(path.join(ike, 'secrets/users')).length} identities`);
  rm(ike);
}
rm(l2tp);
figure('IKEv2 re-sign build / L2TP build, 5,000 users', median(resign).toFixed(3), '<= 1.25', median(resign) <= 1.25, spread(resign));
figure('IKEv2 first build (issues 5,000 identities) / L2TP build', median(first).toFixed(3), '<= 2', median(first) <= 2, spread(first));
figure('IKEv2 peak memory, 5,000 users (MB)', Math.max(...peaks).toFixed(1), '<= 200', Math.max(...peaks) <= 200, `first build and re-sign`);
done();
