/** Issue 3: the profile's content, checked against Apple's schema files and parsed back. */
import { describe, expect, it } from 'vitest';
import { parse } from 'plist';
import { buildProfile, buildProfileXml } from '../../src/apple/build-profile.js';
import { profileIds, identifierSegment } from '../../src/apple/payload-ids.js';
import { readTypedPlist } from '../../src/apple/read-plist.js';
import { checkProfile } from '../../src/apple/check-profile.js';
import { schemaProblems } from '../helpers/apple-schema.js';
import { fixtureSite } from '../helpers/site-fixture.js';

const site = fixtureSite();
const alice = site.users[0]!;
const xml = buildProfileXml(site, alice, { includePassword: true, scope: 'System' });

describe('profile content', () => {
  it('conforms to apple-schema (TopLevel, CommonPayloadKeys, com.apple.vpn.managed)', () => {
    expect(schemaProblems(xml)).toEqual([]);
    expect(schemaProblems(buildProfileXml(site, alice, { includePassword: false, scope: 'User' }))).toEqual([]);
    expect(schemaProblems(buildProfileXml(fixtureSite({ dns: [] }), alice, { includePassword: true, scope: 'System' }))).toEqual([]);
  });
  it('the schema checker catches a wrong key type and an unknown key', () => {
    const bad = Buffer.from(
      Buffer.from(xml)
        .toString('utf8')
        .replace(/(<key>OverridePrimary<\/key>\s*)<integer>1<\/integer>/, '$1<true/>')
        .replace('<key>VPNType</key>', '<key>Bogus</key><string>x</string><key>VPNType</key>'),
    );
    const problems = schemaProblems(bad);
    expect(problems).toContain('PayloadContent[0].IPv4.OverridePrimary: is <boolean>, schema says <integer>');
    expect(problems).toContain('PayloadContent[0].Bogus: not in the schema');
  });
  it('holds the L2TP settings of the manual procedure', () => {
    const typed = readTypedPlist(xml);
    const summary = checkProfile(typed);
    expect(summary).toMatchObject({
      problems: [], vpnType: 'L2TP', server: 'vpn.example.com', account: 'alice', hasPassword: true,
      sendAllTraffic: true, dns: ['10.0.0.1'], scope: 'System', vpnName: 'Example Corp VPN',
    });
    const obj = parse(Buffer.from(xml).toString('utf8')) as any;
    const vpn = obj.PayloadContent[0];
    expect(Buffer.from(vpn.IPSec.SharedSecret).toString('utf8')).toBe((site.secrets.vpn as { psk: string }).psk);
    expect(vpn.PPP.AuthPassword).toBe(site.secrets.passwords.get('alice'));
    expect(Buffer.from(xml).toString('utf8')).toMatch(/<key>OverridePrimary<\/key>\s*<integer>1<\/integer>/);
    expect(Buffer.from(xml).toString('utf8')).toMatch(/<key>SharedSecret<\/key>\s*<data>/);
  });
  it('--no-password leaves AuthPassword out', () => {
    const obj = parse(Buffer.from(buildProfileXml(site, alice, { includePassword: false, scope: 'System' })).toString()) as any;
    expect(obj.PayloadContent[0].PPP).toEqual({ CommRemoteAddress: 'vpn.example.com', AuthName: 'alice' });
    expect(obj.PayloadDescription).toContain('asked for your VPN password');
  });
  it('round-trips hostile text unchanged', () => {
    const hostile = fixtureSite({ organization: 'A&B <Ops> "x"' }, { alice: 'p<a&s>s"w\'d' });
    const out = buildProfileXml(hostile, alice, { includePassword: true, scope: 'System' });
    const obj = parse(Buffer.from(out).toString('utf8')) as any;
    expect(obj.PayloadOrganization).toBe('A&B <Ops> "x"');
    expect(obj.PayloadContent[0].PPP.AuthPassword).toBe('p<a&s>s"w\'d');
    expect(obj.PayloadDisplayName).toBe(buildProfile(hostile, alice, { includePassword: true, scope: 'System' }).PayloadDisplayName);
    expect(schemaProblems(out)).toEqual([]);
  });
  it('is deterministic and ends with a newline', () => {
    expect(Buffer.from(buildProfileXml(site, alice, { includePassword: true, scope: 'System' }))).toEqual(Buffer.from(xml));
    expect(Buffer.from(xml).toString('utf8').endsWith('</plist>\n')).toBe(true);
    expect(Buffer.from(xml).includes('\r')).toBe(false);
  });
});

describe('identifiers (a re-issued profile replaces the installed one)', () => {
  it('are derived from the site identifier and the user, never random', () => {
    const a = profileIds('com.example.vpn', 'alice');
    const again = profileIds('com.example.vpn', 'alice');
    expect([again.profileIdentifier, again.profileUuid, again.uuid('vpn.l2tp')]).toEqual([a.profileIdentifier, a.profileUuid, a.uuid('vpn.l2tp')]);
    expect(a.profileIdentifier).toBe('com.example.vpn.macvpn.alice');
    expect(a.base).toBe('com.example.vpn.macvpn.alice');
    expect(a.profileUuid).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(a.uuid('vpn.l2tp')).not.toBe(a.profileUuid);
    const b = profileIds('com.example.vpn', 'bob');
    expect(new Set([a.profileUuid, a.uuid('vpn.l2tp'), b.profileUuid, b.uuid('vpn.l2tp')]).size).toBe(4);
    expect(profileIds('org.other', 'alice').profileUuid).not.toBe(a.profileUuid);
  });
  it('survive changes to the secrets (rotation re-issues the same identity)', () => {
    const rotated = fixtureSite({}, { alice: 'a-new-password' });
    const ids = (x: Uint8Array) => {
      const o = parse(Buffer.from(x).toString()) as any;
      return [o.PayloadIdentifier, o.PayloadUUID, o.PayloadContent[0].PayloadIdentifier, o.PayloadContent[0].PayloadUUID];
    };
    expect(ids(buildProfileXml(rotated, alice, { includePassword: true, scope: 'System' }))).toEqual(ids(xml));
  });
  it('encode user names one-to-one into an identifier segment', () => {
    expect(identifierSegment('bob@example.com')).toBe('bob_40example_2ecom');
    expect(identifierSegment('a.vpn')).toBe('a_2evpn');
    expect(identifierSegment('a_b')).toBe('a_5fb');
    expect(identifierSegment('a_40b')).not.toBe(identifierSegment('a@b'));
  });
});

describe('the schema copy', () => {
  it('matches shared/apple-schema, which must be beside the repository', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { SHARED } = await import('../helpers/cli.js');
    const { SCHEMA_DIR } = await import('../helpers/apple-schema.js');
    const shared = path.join(SHARED, 'apple-schema');
    const files = fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBe(7);
    expect(fs.existsSync(shared), `${shared} is missing`).toBe(true);
    for (const f of files) expect(fs.readFileSync(path.join(SCHEMA_DIR, f), 'utf8')).toBe(fs.readFileSync(path.join(shared, f), 'utf8'));
  });
});

describe('a second, independent plist parser (Python plistlib)', () => {
  it('reads the profile with the same types: integer, data, strings', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = [
      'import json, plistlib, sys',
      'p = plistlib.loads(sys.stdin.buffer.read())',
      'v = p["PayloadContent"][0]',
      'print(json.dumps({"op": [type(v["IPv4"]["OverridePrimary"]).__name__, v["IPv4"]["OverridePrimary"]],',
      '  "secret": [type(v["IPSec"]["SharedSecret"]).__name__, v["IPSec"]["SharedSecret"].decode()],',
      '  "version": type(p["PayloadVersion"]).__name__, "org": p["PayloadOrganization"], "pw": v["PPP"]["AuthPassword"]}))',
    ].join('\n');
    const hostile = fixtureSite({ organization: 'A&B <Ops> "x"' }, { alice: 'p<a&s>s"w\'d' });
    const r = spawnSync('python3', ['-c', script], { input: buildProfileXml(hostile, alice, { includePassword: true, scope: 'System' }) });
    expect(r.stderr.toString()).toBe('');
    expect(JSON.parse(r.stdout.toString())).toEqual({
      op: ['int', 1], secret: ['bytes', (hostile.secrets.vpn as { psk: string }).psk], version: 'int', org: 'A&B <Ops> "x"', pw: 'p<a&s>s"w\'d',
    });
  });
});
