/**
 * Issue 10, "profiles vs the macOS they claim": every key macvpn writes into a profile is known to
 * the oldest macOS its compatibility level claims (macOS 11 for `modern`, and for IKEv2), by the
 * `supportedOS.macOS.introduced` of Apple's own schema files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readTypedPlist, type TypedValue } from '../../src/apple/read-plist.js';
import { buildProfileXml } from '../../src/apple/build-profile.js';
import { SCHEMA_DIR } from '../helpers/apple-schema.js';
import { fixtureSite } from '../helpers/site-fixture.js';
import { ikev2Site } from '../vpn/ikev2/fixture.js';

interface Key { key: string; subkeys?: Key[]; supportedOS?: { macOS?: { introduced?: string } } }
const load = (f: string): Key[] => parse(fs.readFileSync(path.join(SCHEMA_DIR, f), 'utf8')).payloadkeys;
const SCHEMAS: Record<string, Key[]> = {
  'com.apple.vpn.managed': load('com.apple.vpn.managed.yaml'),
  'com.apple.security.pkcs12': load('com.apple.security.pkcs12.yaml'),
  'com.apple.security.root': load('com.apple.security.root.yaml'),
};
const COMMON = load('CommonPayloadKeys.yaml');

const version = (v: string) => v.split('.').map(Number).reduce((n, x, i) => n + x * 100 ** (2 - i), 0);

/** Every key path with the macOS release that introduced it, when the schema says. */
function introduced(value: TypedValue, keys: Key[], where: string, out: Array<[string, string]>): void {
  if (value.type === 'array') value.value.forEach((v) => introduced(v, keys[0]?.subkeys ?? keys, where, out));
  if (value.type !== 'dictionary') return;
  for (const [k, v] of value.value) {
    const spec = keys.find((s) => s.key === k);
    const intro = spec?.supportedOS?.macOS?.introduced;
    if (intro && /^\d/.test(intro)) out.push([`${where}${k}`, intro]);
    if (spec?.subkeys) introduced(v, spec.subkeys, `${where}${k}.`, out);
  }
}

function keysOf(xml: Uint8Array): Array<[string, string]> {
  const root = readTypedPlist(xml);
  const out: Array<[string, string]> = [];
  if (root.type !== 'dictionary') return out;
  const content = root.value.get('PayloadContent');
  if (content?.type !== 'array') return out;
  for (const p of content.value) {
    if (p.type !== 'dictionary') continue;
    const type = p.value.get('PayloadType')?.value as string;
    introduced(p, [...COMMON, ...(SCHEMAS[type] ?? [])], `${type}.`, out);
  }
  return out;
}

describe('every profile key is known to the macOS the site claims (macOS 11)', () => {
  const cases = [
    ['L2TP with DNS', fixtureSite()],
    ['IKEv2 certificate, On Demand', ikev2Site({ onDemand: { enabled: true, trustedWifi: ['Office'] } })],
    ['IKEv2 EAP', ikev2Site({ auth: 'eap', suite: 'cbc' })],
  ] as const;
  it.each(cases)('%s', (_name, site) => {
    const keys = keysOf(buildProfileXml(site, site.users[0]!, { includePassword: true, scope: 'System' }));
    expect(keys.length).toBeGreaterThan(0);
    const tooNew = keys.filter(([, v]) => version(v) > version('11.0'));
    expect(tooNew).toEqual([]);
    // The claim is not looser than it must be: DNSProtocol really needs macOS 11.
    if (site.dns.length > 0) expect(keys).toContainEqual(['com.apple.vpn.managed.DNS.DNSProtocol', '11.0']);
  });
});
