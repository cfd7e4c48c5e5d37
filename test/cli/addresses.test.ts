/**
 * Issue 10, item 5 (and the blame half of item 7): server and DNS addresses that cannot work are
 * errors naming the option or macvpn.yaml field, through the real bin/macvpn.js; the router's
 * tunnel address as DNS is a warning that says what it needs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBin, snapshot, tempDir } from '../helpers/cli.js';

const lines = (s: string) => s.split('\n').filter(Boolean);

async function initFails(args: string[]): Promise<string[]> {
  const dir = tempDir();
  const r = await runBin(['init', ...args], { cwd: dir });
  expect(r.code, r.stderr).toBe(1);
  expect(fs.readdirSync(dir)).toEqual([]);
  return lines(r.stderr);
}

describe('init refuses addresses that cannot work', () => {
  it.each([
    ['::', '--server "::" is an unspecified address: no Mac can dial it'],
    ['::1', '--server "::1" is a loopback address: no Mac can dial it'],
    ['0.0.0.0', '--server "0.0.0.0" is an unspecified address: no Mac can dial it'],
    ['127.0.0.1', '--server "127.0.0.1" is a loopback address: no Mac can dial it'],
    ['255.255.255.255', '--server "255.255.255.255" is a broadcast address: no Mac can dial it'],
    ['224.0.0.1', '--server "224.0.0.1" is a multicast address: no Mac can dial it'],
    ['10.0.0.7', '--server 10.0.0.7 is inside the VPN pool 10.0.0.0/24: it would be routed into the tunnel it carries'],
  ])('--server %s', async (server, message) => {
    expect((await initFails(['--server', server]))[0]).toBe(`macvpn: error: ${message}`);
  });

  it('--listen inside the pool', async () => {
    expect(await initFails(['--server', 'vpn.example.com', '--listen', '192.168.7.1', '--pool', '192.168.7.0/24'])).toEqual([
      'macvpn: error: --listen 192.168.7.1 is inside the VPN pool 192.168.7.0/24: it would be routed into the tunnel it carries',
      "macvpn: hint: use the router's public address, or choose another --pool",
    ]);
  });

  it('an IPv6 --server with the default listen (npppd listens on 0.0.0.0) is an error with a hint', async () => {
    expect(await initFails(['--server', '2001:db8::1'])).toEqual([
      `macvpn: error: --server 2001:db8::1 is an IPv6 address, but npppd listens for L2TP on 0.0.0.0 (IPv4 only) with listen "egress": give the router's IPv4 address, a DNS name with an A record, or an IPv6 listen address`,
    ]);
    // With an IPv6 listen address npppd listens there: accepted.
    const dir = tempDir();
    expect((await runBin(['init', '--server', '2001:db8::1', '--listen', '2001:db8::1'], { cwd: dir })).code).toBe(0);
  });

  it.each([
    ['127.0.0.1', '--dns 127.0.0.1 is a loopback address: a Mac cannot query it'],
    ['0.0.0.0', '--dns 0.0.0.0 is an unspecified address: a Mac cannot query it'],
    ['9.9.9.9,9.9.9.9', '--dns 9.9.9.9 is listed twice'],
    ['10.0.0.0', '--dns 10.0.0.0 is the network address of the pool 10.0.0.0/24'],
    ['10.0.0.255', '--dns 10.0.0.255 is the broadcast address of the pool 10.0.0.0/24'],
    ['10.0.0.2', '--dns 10.0.0.2 is an address the VPN leases to its clients (pool 10.0.0.0/24)'],
  ])('--dns %s', async (dns, message) => {
    expect(await initFails(['--server', 'vpn.example.com', '--dns', dns])).toEqual([`macvpn: error: ${message}`]);
  });

  it("the router's tunnel address as DNS is a warning that says it needs a resolver there", async () => {
    const dir = tempDir();
    const r = await runBin(['init', '--server', 'vpn.example.com', '--dns', '10.0.0.1'], { cwd: dir });
    expect(r.code).toBe(0);
    const warning =
      'macvpn: warning: dns 10.0.0.1 is the router\'s own tunnel address: names resolve only if a resolver on the router listens on 10.0.0.1 (unbound with "interface: 10.0.0.1" and "access-control: 10.0.0.0/24 allow")\n';
    expect(r.stderr).toBe(warning);
    const server = await runBin(['server'], { cwd: dir });
    expect(server.code).toBe(0);
    expect(server.stderr).toBe(warning);
  });

  it('a 64-character label in --server blames --server, not --identifier', async () => {
    expect(await initFails(['--server', `${'a'.repeat(64)}.example.com`])).toEqual([
      `macvpn: error: --server "${'a'.repeat(64)}.example.com" has a label of 64 characters (at most 63)`,
    ]);
  });

  it('a 253-character --server blames --server, not --org', async () => {
    const server = `${Array(3).fill('a'.repeat(63)).join('.')}.${'b'.repeat(61)}`;
    expect(server).toHaveLength(253);
    const out = await initFails(['--server', server]);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^macvpn: error: --server is 253 characters long: too long for the default organization name /);
    expect(out[1]).toBe('macvpn: hint: pass --org NAME');
    // With an organization name it is a fine server.
    expect((await runBin(['init', '--server', server, '--org', 'Example'], { cwd: tempDir() })).code).toBe(0);
  });
});

describe('a hand-edited macvpn.yaml is checked the same way', () => {
  let site: string;
  beforeAll(async () => {
    site = tempDir();
    expect((await runBin(['init', '--server', 'vpn.example.com'], { cwd: site })).code).toBe(0);
  });

  it.each([
    ['server: "vpn.example.com"', 'server: 127.0.0.1', 'macvpn.yaml:N: server "127.0.0.1" is a loopback address: no Mac can dial it'],
    ['server: "vpn.example.com"', 'server: 10.0.0.9', 'macvpn.yaml:N: server 10.0.0.9 is inside the VPN pool 10.0.0.0/24: it would be routed into the tunnel it carries'],
    ['server: "vpn.example.com"', 'server: "2001:db8::1"', `macvpn.yaml:N: server 2001:db8::1 is an IPv6 address, but npppd listens for L2TP on 0.0.0.0 (IPv4 only) with listen "egress": give the router's IPv4 address, a DNS name with an A record, or an IPv6 listen address`],
    ['dns: []', 'dns: ["127.0.0.1"]', 'macvpn.yaml:N: dns[0] 127.0.0.1 is a loopback address: a Mac cannot query it'],
    ['dns: []', 'dns: ["9.9.9.9", "9.9.9.9"]', 'macvpn.yaml:N: dns[1] 9.9.9.9 is listed twice'],
    ['dns: []', 'dns: ["10.0.0.255"]', 'macvpn.yaml:N: dns[0] 10.0.0.255 is the broadcast address of the pool 10.0.0.0/24'],
    ['dns: []', 'dns: ["10.0.0.77"]', 'macvpn.yaml:N: dns[0] 10.0.0.77 is an address the VPN leases to its clients (pool 10.0.0.0/24)'],
  ])('%s → %s', async (from, to, message) => {
    const file = path.join(site, 'macvpn.yaml');
    const original = fs.readFileSync(file, 'utf8');
    try {
      expect(original).toContain(from);
      fs.writeFileSync(file, original.replace(from, to));
      const before = snapshot(site);
      const r = await runBin(['server'], { cwd: site });
      expect(r.code).toBe(1);
      expect(lines(r.stderr).map((l) => l.replace(/macvpn\.yaml:\d+:/, 'macvpn.yaml:N:'))).toEqual([`macvpn: error: ${message}`]);
      expect(snapshot(site)).toEqual(before);
    } finally {
      fs.writeFileSync(file, original);
    }
  });
});
