import { describe, expect, it } from 'vitest';
import { parseSite } from '../../src/site/parse-site.js';
import { renderSiteYaml } from '../../src/site/render-site-yaml.js';
import { updateSiteYaml } from '../../src/site/update-site-yaml.js';
import type { Settings } from '../../src/site/types.js';

const settings = (text: string): Settings => {
  const r = parseSite(text);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.settings;
};

const handWritten = [
  '# Our VPN. Ask Kim before changing the pool.',
  'server: vpn.example.com   # the public name',
  'dns: [10.0.0.1]',
  'users:',
  '  # engineering',
  '  - name: alice',
  '    email: alice@example.com',
  '  - { name: bob, ip: 10.0.0.50 }  # fixed for the printer VPN',
  '',
].join('\n');

describe('updateSiteYaml', () => {
  it('adds a user and keeps every comment', () => {
    const before = settings(handWritten);
    const next = { ...before, users: [...before.users, { name: 'carol@example.com' }] };
    const text = updateSiteYaml(handWritten, next);
    expect(text).toContain('# Our VPN. Ask Kim before changing the pool.');
    expect(text).toContain('# the public name');
    expect(text).toContain('# engineering');
    expect(text).toContain('# fixed for the printer VPN');
    expect(settings(text)).toEqual(next);
  });
  it('removes a user and keeps the others as written', () => {
    const before = settings(handWritten);
    const next = { ...before, users: before.users.filter((u) => u.name !== 'alice') };
    const text = updateSiteYaml(handWritten, next);
    expect(text).toContain('- { name: bob, ip: 10.0.0.50 } # fixed for the printer VPN');
    expect(text).not.toContain('alice');
    expect(settings(text)).toEqual(next);
  });
  it('changes a user in place, keeping the comments around it', () => {
    const before = settings(handWritten);
    const next = { ...before, users: before.users.map((u) => (u.name === 'bob' ? { name: 'bob', email: 'bob@example.org' } : u)) };
    const text = updateSiteYaml(handWritten, next);
    expect(text).toContain('# fixed for the printer VPN');
    expect(text).toContain('# engineering');
    expect(text).not.toContain('10.0.0.50');
    expect(settings(text)).toEqual(next);
  });
  it('turns an empty flow list into a block list', () => {
    const base = renderSiteYaml(settings('server: vpn.example.com\n'));
    const before = settings(base);
    const next = { ...before, users: [{ name: '0123' }, { name: 'x', ip: '10.0.0.9' }] };
    const text = updateSiteYaml(base, next);
    expect(text).toMatch(/\nusers:\n  - \{ name: "0123" \}\n  - \{ name: x, ip: 10\.0\.0\.9 \}\n$/);
    expect(text).toContain('# VPN users: name (account name)');
    expect(settings(text)).toEqual(next);
  });
  it('falls back to the canonical layout when more than the users changed', () => {
    const before = settings(handWritten);
    const next = { ...before, dns: ['9.9.9.9'] };
    expect(updateSiteYaml(handWritten, next)).toBe(renderSiteYaml(next));
  });
});
