/** In-memory sites for the server renderers: no files, fixed test-only secrets. */
import type { Site } from '../../src/site/types.js';
import { parseIpv4 } from '../../src/site/ipv4.js';

/** TEST ONLY secrets. bob's password holds every getcap special character. */
export const FIXTURE_PSK = 'Fixture-PSK-not-secret-4242';
export const FIXTURE_PASSWORDS = new Map<string, string>([
  ['alice', 'Xq7mPz2kLr9sTb4wVn8c'],
  ['bob', 'p@ss:w\\rd^#1 x|=7'],
  ['carol@example.com', '@leading-at'],
]);

export function fixtureSite(overrides: Partial<Site> = {}): Site {
  return {
    server: 'vpn.example.com',
    listen: 'egress',
    openbsd: '7.9',
    pool: { cidr: '10.0.0.0/24', network: parseIpv4('10.0.0.0')!, prefix: 24 },
    dns: ['192.168.1.1', '9.9.9.9'],
    organization: 'Example Org',
    identifier: 'com.example.vpn',
    compat: 'modern',
    users: [{ name: 'alice' }, { name: 'bob', ip: '10.0.0.50' }, { name: 'carol@example.com', email: 'carol@example.com' }],
    vpn: 'l2tp',
    vpnSettings: {},
    secrets: { passwords: FIXTURE_PASSWORDS, vpn: { psk: FIXTURE_PSK } },
    ...overrides,
  };
}

/** A second shape: legacy clients, a literal listen address, a /16 pool and no DNS. */
export function legacySite(): Site {
  return fixtureSite({
    compat: 'legacy',
    listen: '203.0.113.7',
    pool: { cidr: '172.20.0.0/16', network: parseIpv4('172.20.0.0')!, prefix: 16 },
    dns: [],
    users: [{ name: 'alice' }, { name: 'bob', ip: '172.20.0.50' }, { name: 'carol@example.com', email: 'carol@example.com' }],
  });
}

export const GOLDEN_VERSIONS = ['5.6', '5.7', '5.8', '6.0', '6.7', '7.9'] as const;
