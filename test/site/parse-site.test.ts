import { describe, expect, it } from 'vitest';
import { parseSite } from '../../src/site/parse-site.js';
import { renderSiteYaml } from '../../src/site/render-site-yaml.js';
import { formatProblem } from '../../src/errors.js';

const base = 'server: vpn.example.com\n';
const problems = (text: string) => {
  const r = parseSite(text);
  return r.ok ? [] : r.problems.map((p) => formatProblem('macvpn.yaml', p));
};

describe('parseSite', () => {
  it('applies defaults for a minimal file', () => {
    const r = parseSite(base);
    expect(r.ok && r.settings).toMatchObject({
      server: 'vpn.example.com', listen: 'egress', openbsd: '7.9', pool: { cidr: '10.0.0.0/24' }, dns: [],
      identifier: 'com.example.vpn', compat: 'modern', users: [],
    });
  });
  it('keeps "6.0" as written even unquoted', () => {
    const r = parseSite(base + 'openbsd: 6.0\n');
    expect(r.ok && r.settings.openbsd).toBe('6.0');
  });
  it('round-trips through the rendered layout with hostile text', () => {
    const r = parseSite(base + 'organization: "A&B <Ops> \\"x\\" #1: {y}"\nusers:\n  - name: alice\n    ip: 10.0.0.9\n    email: a@example.com\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const again = parseSite(renderSiteYaml(r.settings));
    expect(again.ok && again.settings).toEqual(r.settings);
    expect(r.settings.organization).toBe('A&B <Ops> "x" #1: {y}');
  });
  it('names file, line and field for each problem', () => {
    expect(problems('server: [1, 2]\n')).toEqual(['macvpn.yaml:1: server must be a single value']);
    expect(problems(base + 'colour: blue\n')).toEqual([
      'macvpn.yaml:2: colour unknown key "colour" (known: server, listen, openbsd, pool, dns, organization, identifier, compat, vpn, users, ikev2)',
    ]);
    expect(problems(base + 'users:\n  - name: "a b"\n')).toEqual([
      'macvpn.yaml:3: users[0].name "a b" contains a space (allowed: letters, digits, . _ - @)',
    ]);
    expect(problems(base + 'users:\n  - {name: alice}\n  - {name: ALICE}\n')).toEqual([
      'macvpn.yaml:4: users[1].name "ALICE" duplicates users[0] (names are compared ignoring case)',
    ]);
    expect(problems(base + 'users:\n  - {name: a, ip: 10.0.5.1}\n')).toEqual([
      'macvpn.yaml:3: users[0].ip 10.0.5.1 is outside the pool 10.0.0.0/24 (usable 10.0.0.2-10.0.0.254)',
    ]);
    expect(problems(base + 'users:\n  - {name: a, ip: 10.0.0.7}\n  - {name: b, ip: 10.0.0.7}\n')).toEqual([
      'macvpn.yaml:4: users[1].ip 10.0.0.7 is already given to users[0]',
    ]);
    expect(problems(base + 'users:\n  - {name: a, shoe: 9}\n')).toEqual(['macvpn.yaml:3: users[0].shoe unknown key (known: name, ip, email, disabled)']);
    expect(problems(base + 'dns: [1.1.1.1, 8.8.8.8, 9.9.9.9]\n')).toEqual(['macvpn.yaml:2: dns lists 3 servers (npppd hands out at most 2)']);
    expect(problems('listen: egress\n')).toEqual(['macvpn.yaml:1: server is missing']);
    expect(problems('- a\n- b\n')).toEqual(['macvpn.yaml:1: must be a mapping of settings (server, users, …)']);
  });
  it('reports syntax errors with their line', () => {
    const p = problems(base + 'users: [\n  {name: a\n');
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]).toMatch(/^macvpn\.yaml:\d+: syntax error: /);
  });
  it('reports every problem at once', () => {
    expect(problems('server: "bad host"\npool: 10.0.0.0/8\ncompat: old\n')).toHaveLength(3);
  });
});
