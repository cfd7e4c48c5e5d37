/** An in-memory Site for pure tests. */
import { parsePool } from '../../src/site/rules.js';
import type { Pool, Site, User } from '../../src/site/types.js';

export function fixtureSite(over: Partial<Site> = {}, passwords: Record<string, string> = {}): Site {
  const users: User[] = over.users ?? [{ name: 'alice' }, { name: 'bob', ip: '10.0.0.50', email: 'bob@example.com' }];
  const pw = new Map(users.map((u, i) => [u.name, passwords[u.name] ?? `Passw0rd-${u.name}-${i}`]));
  return {
    server: 'vpn.example.com',
    listen: 'egress',
    openbsd: '7.9',
    pool: parsePool('10.0.0.0/24') as Pool,
    dns: ['10.0.0.1'],
    organization: 'Example Corp',
    identifier: 'com.example.vpn',
    compat: 'modern',
    vpn: 'l2tp',
    vpnSettings: {},
    ...over,
    users,
    secrets: { passwords: pw, vpn: { psk: 'Fixture-PSK-0123456789abcdefgh' }, ...over.secrets },
  };
}
