// Budget (DESIGN.md §6): the server files for 10,000 users render in under a second.
// Builds an in-memory site (no disk, no secrets read) and times planServer from the compiled dist/.
import { planServer } from '../dist/plan/plan-server.js';
import { parseIpv4, formatIpv4 } from '../dist/site/ipv4.js';

const USERS = 10_000;
const BUDGET = 1;
const network = parseIpv4('10.8.0.0');
const users = [];
const passwords = new Map();
for (let i = 0; i < USERS; i++) {
  const name = `user${String(i).padStart(5, '0')}`;
  // Every other user has a fixed address; passwords mix in the characters getcap must escape.
  users.push(i % 2 === 0 ? { name, ip: formatIpv4(network + 2 + i) } : { name });
  passwords.set(name, `Pw:${i}\\^#@ x-${i.toString(36)}`);
}
const site = {
  server: 'vpn.example.com', listen: 'egress', openbsd: '7.9',
  pool: { cidr: '10.8.0.0/16', network, prefix: 16 }, dns: ['10.8.0.1'],
  organization: 'Bench', identifier: 'com.example.vpn', compat: 'modern', users,
  secrets: { psk: 'Bench-PSK-0123456789abcdef', passwords },
};

planServer({ ...site, users: users.slice(0, 10) }); // warm up the code paths
const start = process.hrtime.bigint();
const files = planServer(site);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const bytes = files.reduce((n, f) => n + f.contents.length, 0);
if (!files.find((f) => f.path === 'etc/npppd/npppd-users').contents.includes(`user0${USERS - 1}:`)) throw new Error('last user missing');
const ok = seconds < BUDGET;
console.log(JSON.stringify({ name: 'server-10k', seconds: Number(seconds.toFixed(4)), budget: BUDGET, ok, files: files.length, bytes }));
process.exitCode = ok ? 0 : 1;
