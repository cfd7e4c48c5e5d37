/**
 * DESIGN.md §6 (start-up of `macvpn profile`): the light settings path of macvpn.yaml
 * (src/site/settings-fast.ts) gives exactly what the `yaml` document model gives, settings and
 * problems with their lines, or steps aside.
 */
import { describe, expect, it } from 'vitest';
import { parseSite, parseSiteWithYaml } from '../../src/site/parse-site.js';
import { renderSiteYaml } from '../../src/site/render-site-yaml.js';
import { updateSiteYaml } from '../../src/site/update-site-yaml.js';
import { readHead } from '../../src/site/settings-fast.js';
import { splitUsers } from '../../src/site/users-fast.js';
import { fixtureSite } from '../helpers/site-fixture.js';

const { secrets: _s, ...settings } = fixtureSite();
const canonical = renderSiteYaml({ ...settings, dns: ['10.0.0.1', '192.168.1.1'], users: [{ name: 'alice' }, { name: 'bob', ip: '10.0.0.50' }] });
/** Edits `base` for a variant, refusing an edit that changes nothing (a variant must differ). */
const editOf = (base: string) => (from: string | RegExp, to: string) => {
  const out = base.replace(from, to);
  if (out === base) throw new Error(`variant did not change the text: ${String(from)}`);
  return out;
};
const swap = editOf(canonical);
const variants: Record<string, string> = {
  canonical,
  'rewritten by user add': updateSiteYaml(canonical, { ...settings, dns: ['10.0.0.1'], users: [{ name: 'alice' }, { name: 'carol' }] }),
  'plain values': swap(/^(server|listen|compat|vpn): "([^"]*)"$/gm, '$1: $2'),
  'no dns': swap(/^dns: .*$/m, 'dns: []'),
  'dns without spaces': swap(/^dns: .*$/m, 'dns: ["10.0.0.1","192.168.1.1"]'),
  'dns, plain items': swap(/^dns: .*$/m, 'dns: [ 10.0.0.1, 192.168.1.1 ]'),
  'dns, three and a duplicate': swap(/^dns: .*$/m, 'dns: [ "10.0.0.1", "10.0.0.1", "8.8.8.8", "9.9.9.9" ]'),
  'dns, a quoted comma': swap(/^dns: .*$/m, 'dns: [ "10.0.0.1, 8.8.8.8" ]'),
  'dns, a number': swap(/^dns: .*$/m, 'dns: [ 10 ]'),
  'dns, a scalar': swap(/^dns: .*$/m, 'dns: "10.0.0.1"'),
  'bad values, each reported': swap(/^server: .*$/m, 'server: "bad host"').replace(/^pool: .*$/m, 'pool: "10.0.0.0/33"').replace(/^compat: .*$/m, 'compat: "new"'),
  'an unknown key': swap('\nvpn:', '\ncolour: "blue"\nvpn:'),
  'a key twice': swap('\nvpn:', '\nserver: "other.example.com"\nvpn:'),
  'a number': swap(/^openbsd: .*$/m, 'openbsd: 7.5'),
  'a reserved word': swap(/^compat: .*$/m, 'compat: null'),
  'a boolean': swap(/^listen: .*$/m, 'listen: True'),
  'an empty value': swap(/^listen: .*$/m, 'listen:'),
  'an escape': swap(/^organization: .*$/m, 'organization: "A\\tB"'),
  'a comment after a value': swap(/^compat: .*$/m, 'compat: "legacy" # old Macs'),
  'an indented comment': swap('\nvpn:', '\n   # note\nvpn:'),
  'a tab': swap(/^compat: .*$/m, 'compat:\t"legacy"'),
  'a continued plain value': swap(/^listen: .*$/m, 'listen: egress\n  more'),
  'a document marker': '---\n' + canonical,
  'a type block': swap('\nusers:', '\nl2tp:\n  x: 1\nusers:'),
  'no vpn key': swap(/^vpn: .*$/m, ''),
  'server missing': swap(/^server: .*$/m, ''),
  'crlf': canonical.replace(/\n/g, '\r\n'),
};

// Issue 12: an IKEv2 site's `ikev2:` block, as macvpn writes it and as people edit it.
const ikeSettings = { ...settings, vpn: 'ikev2', vpnSettings: { auth: 'certificate', suite: 'gcm', userKey: 'ecdsa', onDemand: { enabled: true, trustedWifi: ['Office', 'Home Wi-Fi'] } } };
const ike = renderSiteYaml({ ...ikeSettings, users: [{ name: 'alice' }, { name: 'bob' }] } as typeof settings & { users: [] });
const ikeSwap = editOf(ike);
const ikeVariants: Record<string, string> = {
  'ikev2 canonical': ike,
  'ikev2 rewritten by user add': updateSiteYaml(ike, { ...ikeSettings, users: [{ name: 'alice' }, { name: 'carol' }] } as never),
  'ikev2 plain values': ikeSwap(/^  (auth|suite|user_key): "([^"]*)"$/gm, '  $1: $2'),
  'ikev2 on demand off, no wifi': ikeSwap(/^    enabled: true$/m, '    enabled: false').replace(/^    trusted_wifi: .*$/m, '    trusted_wifi: []'),
  'ikev2 bad values, each reported': ikeSwap(/^  auth: .*$/m, '  auth: "password"').replace(/^  suite: .*$/m, '  suite: "des"').replace(/^    enabled: .*$/m, '    enabled: "yes"'),
  'ikev2 an unknown key in the block': ikeSwap(/^  suite: .*$/m, '  suite: "gcm"\n  colour: "blue"'),
  'ikev2 an unknown key in on_demand': ikeSwap(/^    enabled: .*$/m, '    enabled: true\n    when: "always"'),
  'ikev2 a key twice in the block': ikeSwap(/^  suite: .*$/m, '  suite: "gcm"\n  suite: "cbc"'),
  'ikev2 a bad ssid': ikeSwap(/^    trusted_wifi: .*$/m, '    trusted_wifi: ["this name is far longer than thirty-two bytes"]'),
  'ikev2 True': ikeSwap(/^    enabled: .*$/m, '    enabled: True'),
  'ikev2 a null': ikeSwap(/^  auth: .*$/m, '  auth: null'),
  'ikev2 a number': ikeSwap(/^  auth: .*$/m, '  auth: 1'),
  'ikev2 an empty block': ikeSwap(/^  on_demand:\n(    .*\n|  #.*\n)+/m, '  on_demand:\n'),
  'ikev2 three spaces': ikeSwap(/^  auth: /m, '   auth: '),
  'ikev2 one space': ikeSwap(/^  auth: /m, ' auth: '),
  'ikev2 a tab': ikeSwap(/^  auth: /m, '\tauth: '),
  'ikev2 a comment at the left margin inside the block': ikeSwap(/^  suite: /m, '# note\n  suite: '),
  'ikev2 a comment indented less inside on_demand': ikeSwap(/^    enabled: /m, '  # note\n    enabled: '),
  'ikev2 a comment after a value': ikeSwap(/^  auth: .*$/m, '  auth: "certificate" # default'),
  'ikev2 a flow map': ikeSwap(/^  on_demand:\n(    .*\n)+/m, '  on_demand: {enabled: true}\n'),
  'ikev2 a deeper level': ikeSwap(/^    enabled: .*$/m, '    enabled:\n      x: true'),
  'ikev2 the block last, before users': ikeSwap(/^  on_demand:[\s\S]*?(?=\nusers:)/m, '  on_demand:\n    enabled: false\n    trusted_wifi: []\n'),
  'ikev2 blank lines inside': ikeSwap(/^  suite: /m, '\n\n  suite: '),
  'ikev2 crlf': ike.replace(/\n/g, '\r\n'),
};
Object.assign(variants, ikeVariants);

describe('the fast settings path agrees with yaml', () => {
  it.each(Object.entries(variants))('%s', (_name, text) => {
    expect(parseSite(text)).toEqual(parseSiteWithYaml(text));
  });
  it('is taken for the layouts macvpn writes and skipped for the rest', () => {
    const head = (k: string) => {
      const split = splitUsers(variants[k]!);
      return split && readHead(split.head);
    };
    for (const k of ['canonical', 'rewritten by user add', 'plain values', 'no dns', 'dns without spaces', 'dns, plain items', 'bad values, each reported', 'an unknown key', 'an indented comment']) expect(head(k), k).toBeDefined();
    for (const k of ['ikev2 canonical', 'ikev2 rewritten by user add', 'ikev2 plain values', 'ikev2 on demand off, no wifi', 'ikev2 bad values, each reported', 'ikev2 an unknown key in the block', 'ikev2 an unknown key in on_demand', 'ikev2 a bad ssid', 'ikev2 blank lines inside']) expect(head(k), k).toBeDefined();
    for (const k of ['ikev2 a key twice in the block', 'ikev2 True', 'ikev2 a null', 'ikev2 a number', 'ikev2 an empty block', 'ikev2 three spaces', 'ikev2 one space', 'ikev2 a tab', 'ikev2 a comment at the left margin inside the block', 'ikev2 a comment indented less inside on_demand', 'ikev2 a comment after a value', 'ikev2 a flow map', 'ikev2 a deeper level', 'ikev2 crlf']) expect(head(k), k).toBeUndefined();
    for (const k of ['a key twice', 'a number', 'a reserved word', 'a boolean', 'an empty value', 'an escape', 'a comment after a value', 'a tab', 'a continued plain value', 'a document marker', 'a type block', 'dns, a number']) expect(head(k), k).toBeUndefined();
  });
  it('reports bad settings of the ikev2 block with the line yaml gives', () => {
    const r = parseSite(ikeVariants['ikev2 bad values, each reported']!);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path)).toEqual(['ikev2.auth', 'ikev2.suite', 'ikev2.on_demand.enabled']);
  });
  it('reports bad settings with their lines', () => {
    const r = parseSite(variants['bad values, each reported']!);
    expect(r.ok).toBe(false);
    const lineOf = (key: string) => variants['bad values, each reported']!.split('\n').findIndex((l) => l.startsWith(`${key}:`)) + 1;
    if (!r.ok) for (const key of ['server', 'pool', 'compat']) expect(r.problems).toContainEqual(expect.objectContaining({ path: key, line: lineOf(key) }));
  });
});
