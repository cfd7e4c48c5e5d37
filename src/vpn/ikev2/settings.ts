/**
 * The `ikev2:` block of macvpn.yaml: how users authenticate, the crypto suite, the users' key
 * type and VPN On Demand. Read from YAML or from init's flags, written back with a comment on
 * every key (DESIGN.md §3: macvpn.yaml always holds every key).
 */
import type { Settings } from '../../site/types.js';
import { SUITE_IDS, type Suite } from './suites.js';

export type Auth = 'certificate' | 'eap';
export type UserKey = 'ecdsa' | 'rsa';

export interface Ikev2Settings {
  auth: Auth;
  suite: Suite['id'];
  /** Key type of the users' certificates: ECDSA P-256 (default) or RSA-2048. */
  userKey: UserKey;
  onDemand: { enabled: boolean; trustedWifi: string[] };
}

export const AUTHS: readonly Auth[] = ['certificate', 'eap'];
export const USER_KEYS: readonly UserKey[] = ['ecdsa', 'rsa'];

export const DEFAULT_IKEV2: Ikev2Settings = { auth: 'certificate', suite: 'gcm', userKey: 'ecdsa', onDemand: { enabled: false, trustedWifi: [] } };

/** The block key in macvpn.yaml. */
export const IKEV2_KEY = 'ikev2';

export const ikev2Settings = (s: Pick<Settings, 'vpnSettings'>): Ikev2Settings => s.vpnSettings as unknown as Ikev2Settings;

const BLOCK_KEYS = ['auth', 'suite', 'user_key', 'on_demand'];
const ON_DEMAND_KEYS = ['enabled', 'trusted_wifi'];

const oneOf = (value: unknown, allowed: readonly string[]) =>
  typeof value === 'string' && allowed.includes(value) ? undefined : `${JSON.stringify(value)} is not ${allowed.map((a) => JSON.stringify(a)).join(' or ')}`;

/** An SSID: 1–32 bytes (IEEE 802.11), no control characters. */
function checkSsid(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty Wi-Fi name';
  if (Buffer.byteLength(value, 'utf8') > 32) return `${JSON.stringify(value)} is longer than 32 bytes (the limit of a Wi-Fi name)`;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return `${JSON.stringify(value)} contains a control character`;
  return undefined;
}

export function parseIkev2Settings(block: unknown, report: (path: string, message: string) => void): Ikev2Settings {
  if (block === undefined) return DEFAULT_IKEV2;
  if (typeof block !== 'object' || block === null || Array.isArray(block)) {
    report('', 'must be a mapping like {auth: certificate, suite: gcm}');
    return DEFAULT_IKEV2;
  }
  const b = block as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!BLOCK_KEYS.includes(k)) report(k, `unknown key (known: ${BLOCK_KEYS.join(', ')})`);
  const pick = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = b[key] ?? fallback;
    const msg = oneOf(v, allowed);
    if (msg) report(key, msg);
    return msg ? fallback : (v as T);
  };
  const auth = pick('auth', AUTHS, DEFAULT_IKEV2.auth);
  const suite = pick('suite', SUITE_IDS, DEFAULT_IKEV2.suite);
  const userKey = pick('user_key', USER_KEYS, DEFAULT_IKEV2.userKey);
  const od = b.on_demand ?? {};
  const onDemand = { enabled: false, trustedWifi: [] as string[] };
  if (typeof od !== 'object' || od === null || Array.isArray(od)) report('on_demand', 'must be a mapping like {enabled: true, trusted_wifi: [Office]}');
  else {
    const o = od as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!ON_DEMAND_KEYS.includes(k)) report(`on_demand.${k}`, `unknown key (known: ${ON_DEMAND_KEYS.join(', ')})`);
    if (o.enabled !== undefined && typeof o.enabled !== 'boolean') report('on_demand.enabled', 'must be true or false');
    else onDemand.enabled = o.enabled === true;
    const wifi = o.trusted_wifi ?? [];
    if (!Array.isArray(wifi)) report('on_demand.trusted_wifi', 'must be a list of Wi-Fi names');
    else {
      wifi.forEach((w, i) => {
        const msg = checkSsid(w);
        if (msg) report(`on_demand.trusted_wifi[${i}]`, msg);
        else onDemand.trustedWifi.push(w as string);
      });
    }
  }
  return { auth, suite, userKey, onDemand };
}

const q = (s: string) => JSON.stringify(s);

export function renderIkev2Settings(s: Settings): string[] {
  const v = ikev2Settings(s);
  return [
    '# IKEv2 settings (used when vpn is "ikev2").',
    `${IKEV2_KEY}:`,
    '  # How users log in: "certificate" (a certificate per user, revoked one by one on removal)',
    '  # or "eap" (EAP-MSCHAPv2 with a password per user; the server still shows its certificate).',
    `  auth: ${q(v.auth)}`,
    '  # Crypto suite, the same in iked.conf and every profile: "gcm" (AES-256-GCM, ECP-384;',
    '  # OpenBSD 6.9+) or "cbc" (AES-256-CBC with HMAC-SHA2-512, ECP-384).',
    `  suite: ${q(v.suite)}`,
    '  # Key type of user certificates: "ecdsa" (P-256) or "rsa" (RSA-2048).',
    `  user_key: ${q(v.userKey)}`,
    '  # VPN On Demand: connect by itself everywhere except on the trusted Wi-Fi networks listed.',
    '  on_demand:',
    `    enabled: ${v.onDemand.enabled}`,
    `    trusted_wifi: [${v.onDemand.trustedWifi.map(q).join(', ')}]`,
    '',
  ];
}

/** init's --auth, --suite, --user-key (each error names its flag). */
export function ikev2SettingsFromOptions(opts: Readonly<Record<string, unknown>>, errors: string[]): Ikev2Settings {
  const flag = <T extends string>(name: string, key: string, allowed: readonly T[], fallback: T): T => {
    const v = opts[key];
    if (v === undefined) return fallback;
    const msg = oneOf(v, allowed);
    if (msg) errors.push(`${name} ${msg}`);
    return msg ? fallback : (v as T);
  };
  return {
    auth: flag('--auth', 'auth', AUTHS, DEFAULT_IKEV2.auth),
    suite: flag('--suite', 'suite', SUITE_IDS, DEFAULT_IKEV2.suite),
    userKey: flag('--user-key', 'userKey', USER_KEYS, DEFAULT_IKEV2.userKey),
    onDemand: DEFAULT_IKEV2.onDemand,
  };
}
