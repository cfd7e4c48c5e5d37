/**
 * mdm export: unsigned System-scope profiles without passwords, identical identifiers to the signed
 * profiles, and NanoMDM/MicroMDM command plists whose payload is exactly the exported profile.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'plist';
import { beforeAll, describe, expect, it } from 'vitest';
import { installProfileCommand, removeProfileCommand } from '../../src/delivery/mdm-commands.js';
import { planMdmExport } from '../../src/delivery/plan-mdm.js';
import { profileIds } from '../../src/apple/payload-ids.js';
import { schemaProblems } from '../helpers/apple-schema.js';
import { modeOf, runBin, tempDir } from '../helpers/cli.js';
import { fixtureSite } from '../helpers/site-fixture.js';

const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

describe('command plists (pure)', () => {
  it('InstallProfile carries the bytes verbatim as <data>; RemoveProfile names the identifier', () => {
    const profile = Buffer.from('<?xml version="1.0"?>\n<plist><dict/></plist>\n\u00e9\u0000\u00ff', 'latin1');
    const install = parse(Buffer.from(installProfileCommand(profile, 'C-1')).toString('utf8')) as any;
    expect(install).toEqual({ CommandUUID: 'C-1', Command: { RequestType: 'InstallProfile', Payload: expect.any(Uint8Array) } });
    expect(Buffer.compare(install.Command.Payload, profile)).toBe(0);
    expect(Buffer.from(installProfileCommand(profile, 'C-1')).toString('utf8')).toContain('<data>');
    const remove = parse(Buffer.from(removeProfileCommand('com.example.vpn.macvpn.alice', 'C-2')).toString('utf8'));
    expect(remove).toEqual({ CommandUUID: 'C-2', Command: { RequestType: 'RemoveProfile', Identifier: 'com.example.vpn.macvpn.alice' } });
  });

  it('plans three 0600 files per user with the given CommandUUIDs', () => {
    let n = 0;
    const site = fixtureSite();
    const files = planMdmExport(site, site.users, 'nanomdm', () => `U-${++n}`);
    expect(files.map((f) => `${f.path} ${f.mode.toString(8)}`)).toEqual([
      'alice.mobileconfig 600', 'alice.install.plist 600', 'alice.remove.plist 600',
      'bob.mobileconfig 600', 'bob.install.plist 600', 'bob.remove.plist 600',
    ]);
    expect((parse(Buffer.from(files[2]!.contents).toString('utf8')) as any).CommandUUID).toBe('U-2');
    expect(planMdmExport(site, site.users, 'plain', () => 'x').map((f) => f.path)).toEqual(['alice.mobileconfig', 'bob.mobileconfig']);
  });
});

describe('macvpn mdm export (real binary)', () => {
  let cwd: string;
  let site: string;
  const mac = (args: string[]) => runBin(['--site', site, ...args], { cwd });

  beforeAll(async () => {
    cwd = tempDir();
    site = path.join(cwd, 'site');
    for (const args of [['init', '--server', 'vpn.example.com'], ['user', 'add', 'alice'], ['user', 'add', 'bob.smith@example.com']]) {
      expect((await mac(args)).code).toBe(0);
    }
  });

  it('--format nanomdm: schema-clean profiles, payload = profile, remove names its identifier', async () => {
    const out = path.join(cwd, 'mdm', 'nested');
    const r = await mac(['mdm', 'export', '--all', '--out', out, '--format', 'nanomdm']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(modeOf(out)).toBe('0700');
    expect(fs.readdirSync(out).sort()).toEqual([
      'alice.install.plist', 'alice.mobileconfig', 'alice.remove.plist',
      'bob.smith@example.com.install.plist', 'bob.smith@example.com.mobileconfig', 'bob.smith@example.com.remove.plist',
    ]);
    const uuids = new Set<string>();
    for (const name of ['alice', 'bob.smith@example.com']) {
      const profile = fs.readFileSync(path.join(out, `${name}.mobileconfig`));
      for (const f of ['mobileconfig', 'install.plist', 'remove.plist']) expect(modeOf(path.join(out, `${name}.${f}`))).toBe('0600');
      expect(schemaProblems(profile)).toEqual([]);
      const p = parse(profile.toString('utf8')) as any;
      expect(p.PayloadScope).toBe('System');
      expect(p.PayloadContent[0].PPP.AuthPassword).toBeUndefined();
      expect(profile.toString('utf8')).not.toContain('AuthPassword');
      expect(p.PayloadIdentifier).toBe(profileIds('com.example.vpn', name).profileIdentifier);

      const install = parse(fs.readFileSync(path.join(out, `${name}.install.plist`), 'utf8')) as any;
      expect(install.Command.RequestType).toBe('InstallProfile');
      expect(Buffer.compare(install.Command.Payload, profile)).toBe(0);
      const remove = parse(fs.readFileSync(path.join(out, `${name}.remove.plist`), 'utf8')) as any;
      expect(remove.Command).toEqual({ RequestType: 'RemoveProfile', Identifier: p.PayloadIdentifier });
      for (const c of [install, remove]) {
        expect(c.CommandUUID).toMatch(UUID);
        uuids.add(c.CommandUUID);
      }
    }
    expect(uuids.size).toBe(4);
  });

  it('uses the same identifiers and UUIDs as the signed profile', async () => {
    const out = path.join(cwd, 'plain');
    expect((await mac(['mdm', 'export', 'alice', '--out', out])).code).toBe(0);
    expect(fs.readdirSync(out)).toEqual(['alice.mobileconfig']);
    expect((await mac(['profile', 'alice'])).code).toBe(0);
    const signed = execFileSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', path.join(site, 'profiles/alice.mobileconfig'), '-CAfile', path.join(site, 'ca.pem')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const s = parse(signed.toString('utf8')) as any;
    const m = parse(fs.readFileSync(path.join(out, 'alice.mobileconfig'), 'utf8')) as any;
    expect([m.PayloadIdentifier, m.PayloadUUID, m.PayloadContent[0].PayloadIdentifier, m.PayloadContent[0].PayloadUUID])
      .toEqual([s.PayloadIdentifier, s.PayloadUUID, s.PayloadContent[0].PayloadIdentifier, s.PayloadContent[0].PayloadUUID]);
  });

  it('usage errors: no names, names and --all, unknown names', async () => {
    const out = path.join(cwd, 'never');
    expect((await mac(['mdm', 'export', '--out', out])).code).toBe(2);
    expect((await mac(['mdm', 'export', 'alice', '--all', '--out', out])).code).toBe(2);
    const r = await mac(['mdm', 'export', 'zed', 'yan', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('macvpn: error'))).toEqual([
      'macvpn: error: no user "zed" in macvpn.yaml',
      'macvpn: error: no user "yan" in macvpn.yaml',
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });
});
