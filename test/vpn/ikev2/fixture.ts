/**
 * In-memory IKEv2 sites for pure tests: the state is made by the real ikev2StateFiles with a fixed
 * clock, seeded randomness and the TEST ONLY keys of test/fixtures/ikev2 (RSA CA, so signatures
 * are deterministic), then read back through loadIkev2State, as a site folder would be.
 */
import { createHash, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Site, User } from '../../../src/site/types.js';
import type { Tools } from '../../../src/vpn/vpn-type.js';
import { ikev2StateFiles } from '../../../src/vpn/ikev2/issue.js';
import { loadIkev2State } from '../../../src/vpn/ikev2/state.js';
import type { Ikev2Settings } from '../../../src/vpn/ikev2/settings.js';
import { parsePool } from '../../../src/site/rules.js';
import type { Pool } from '../../../src/site/types.js';
import { ROOT } from '../../helpers/cli.js';

export const FIXTURE_NOW = new Date('2026-06-01T00:00:00Z');
const KEYS = path.join(ROOT, 'test/fixtures/ikev2');
const key = (f: string) => createPrivateKey(fs.readFileSync(path.join(KEYS, f), 'utf8'));

/** Deterministic Tools: keys handed out in order (CA, server, users), seeded random bytes. */
export function fixtureTools(now = FIXTURE_NOW): Tools {
  const queue = ['ca-rsa.key', 'server-rsa.key', 'user1-ec.key', 'user2-ec.key', 'user3-ec.key', 'user4-rsa.key'];
  let n = 0;
  return {
    now,
    random: (len) => {
      const out = Buffer.alloc(len);
      for (let i = 0; i < len; i += 32) createHash('sha256').update(`macvpn-test-${n++}`).digest().copy(out, i);
      return out;
    },
    newKey: () => {
      const file = queue.shift();
      if (!file) throw new Error('fixture: out of test keys');
      return key(file).export({ format: 'jwk' });
    },
  };
}

export const FIXTURE_PASSWORDS: Record<string, string> = { alice: 'Alice-p12-Passw0rd-x', bob: 'Bob-EAP-Passw0rd-123', carol: 'Carol-Passw0rd-45678' };

export function ikev2Site(over: Partial<Ikev2Settings> = {}, users: User[] = [{ name: 'alice' }, { name: 'bob', email: 'bob@example.com' }], now = FIXTURE_NOW): Site {
  const vpnSettings: Ikev2Settings = { auth: 'certificate', suite: 'gcm', userKey: 'ecdsa', onDemand: { enabled: false, trustedWifi: [] }, ...over };
  const settings = {
    server: 'vpn.example.com',
    listen: 'egress',
    openbsd: '7.9',
    pool: parsePool('10.8.0.0/24') as Pool,
    dns: ['192.168.1.1'],
    organization: 'Example Corp',
    identifier: 'com.example.vpn',
    compat: 'modern' as const,
    vpn: 'ikev2',
    vpnSettings: vpnSettings as unknown as Record<string, unknown>,
    users,
  };
  const passwords = new Map(users.map((u) => [u.name, FIXTURE_PASSWORDS[u.name] ?? `Passw0rd-${u.name}-0123`]));
  const { files } = ikev2StateFiles({ before: undefined, after: settings, passwords, rotated: [] }, fixtureTools(now));
  const byPath = new Map(files.map((f) => [f.path, typeof f.contents === 'string' ? Buffer.from(f.contents) : Buffer.from(f.contents)]));
  return { ...settings, secrets: { passwords, vpn: loadIkev2State((rel) => byPath.get(rel), settings) } };
}
