/**
 * Issue 12: the light users path of macvpn.yaml (src/site/users-fast.ts) gives exactly what the
 * `yaml` document model gives, settings and problems with their lines, or steps aside.
 */
import { describe, expect, it } from 'vitest';
import { parseSite, parseSiteWithYaml } from '../../src/site/parse-site.js';
import { renderSiteYaml } from '../../src/site/render-site-yaml.js';
import { updateSiteYaml } from '../../src/site/update-site-yaml.js';
import { splitUsers } from '../../src/site/users-fast.js';
import { fixtureSite } from '../helpers/site-fixture.js';

const { secrets: _s, ...settings } = fixtureSite();
const canonical = renderSiteYaml({ ...settings, users: [{ name: 'alice' }, { name: 'bob', ip: '10.0.0.50', email: 'bob@example.com' }, { name: 'ünï cödé' }] });
const variants: Record<string, string> = {
  canonical,
  'plain scalars (user add)': updateSiteYaml(canonical, { ...settings, users: [{ name: 'alice' }, { name: 'carol', ip: '10.0.0.9', email: 'c@x.org' }] }),
  'comments between items': canonical.replace('  - { name: "bob"', '  # the bob\n\n  - { name: "bob"'),
  'bad values, each reported': canonical + '  - { name: "bad name:x" }\n  - { name: "ALICE" }\n  - { name: "d", ip: "10.9.9.9" }\n  - { name: "e", ip: "10.0.0.50", email: "nope" }\n',
  'a reserved word as name': canonical + '  - { name: true }\n',
  'a null name': canonical + '  - { name: null }\n',
  'a number as address': canonical + '  - { name: x, ip: 10.0.0.7 }\n',
  'escape in a quoted name': canonical + '  - { name: "a\\tb" }\n',
  'comment after an item': canonical + '  - { name: "zed" } # hi\n',
  'a key after the list': canonical + 'compat: "legacy"\n',
  'users twice': canonical.replace('vpn: ', 'users: []\nvpn: '),
  'unknown user key': canonical + '  - { name: "q", role: "admin" }\n',
  'crlf': canonical.replace(/\n/g, '\r\n'),
  'a disabled user': canonical + '  - { name: "paused", disabled: true }\n  - { name: "active", disabled: false }\n',
  'disabled not a boolean': canonical + '  - { name: "odd", disabled: "yes" }\n',
  'flow without spaces': canonical.replace('{ name: "alice" }', '{name: alice}'),
};

describe('the fast users path agrees with yaml', () => {
  it.each(Object.entries(variants))('%s', (_name, text) => {
    expect(parseSite(text)).toEqual(parseSiteWithYaml(text));
  });
  it('is taken for the layouts macvpn writes and skipped for the rest', () => {
    expect(splitUsers(variants.canonical!)?.users).toHaveLength(3);
    expect(splitUsers(variants['plain scalars (user add)']!)?.users).toHaveLength(2);
    expect(splitUsers(variants['comments between items']!)?.users).toHaveLength(3);
    for (const k of ['a reserved word as name', 'a null name', 'escape in a quoted name', 'comment after an item', 'a key after the list', 'crlf']) expect(splitUsers(variants[k]!), k).toBeUndefined();
  });
  it('reports bad users with their lines', () => {
    const r = parseSite(variants['bad values, each reported']!);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => `${p.line} ${p.path}`)).toEqual(expect.arrayContaining([expect.stringMatching(/users\[3\]\.name/), expect.stringMatching(/users\[4\]\.name/), expect.stringMatching(/users\[5\]\.ip/)]));
  });
});
