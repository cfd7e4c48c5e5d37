// Budget (DESIGN.md §6): `macvpn server` for 10,000 users, as a whole process, under a second.
import { figure, done, makeSite, median, rm, spread, timed } from './lib.mjs';

const site = makeSite(10_000);
timed(site, ['server']); // warm-up
const runs = Array.from({ length: Number(process.env.BENCH_ROUNDS ?? 5) }, () => timed(site, ['server']).seconds);
rm(site);
figure('macvpn server, 10,000 users, whole process (s)', median(runs).toFixed(3), '< 1', median(runs) < 1, spread(runs));
done();
