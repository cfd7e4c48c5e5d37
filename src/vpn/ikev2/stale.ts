/** Why an IKEv2 profile no longer matches the site, for `macvpn check` (secrets compared, never shown). */
import type { TypedValue } from '../../apple/read-plist.js';
import type { Site, User } from '../../site/types.js';
import { PAYLOAD_TYPE_PKCS12, PAYLOAD_TYPE_ROOT, PAYLOAD_TYPE_VPN } from '../../apple/payload-types.js';
import { ikev2Settings } from './settings.js';
import { SUITES } from './suites.js';
import { ikev2State, pemDer } from './state.js';

function payload(root: TypedValue, type: string): ReadonlyMap<string, TypedValue> | undefined {
  const content = root.type === 'dictionary' ? root.value.get('PayloadContent') : undefined;
  if (content?.type !== 'array') return undefined;
  for (const p of content.value) if (p.type === 'dictionary' && p.value.get('PayloadType')?.value === type) return p.value;
  return undefined;
}

export function ikev2StaleReasons(root: TypedValue, site: Site, user: User): string[] {
  const stale: string[] = [];
  const vpn = payload(root, PAYLOAD_TYPE_VPN);
  const ike = vpn?.get('IKEv2');
  const d = ike?.type === 'dictionary' ? ike.value : undefined;
  if (vpn?.get('VPNType')?.value !== 'IKEv2') return ['VPN type'];
  if (d?.get('RemoteAddress')?.value !== site.server) stale.push('server address');
  const suite = SUITES[ikev2Settings(site).suite];
  const enc = d?.get('IKESecurityAssociationParameters');
  if (enc?.type !== 'dictionary' || enc.value.get('EncryptionAlgorithm')?.value !== suite.ike.EncryptionAlgorithm) stale.push('crypto suite');
  const state = ikev2State(site);
  const ca = payload(root, PAYLOAD_TYPE_ROOT)?.get('PayloadContent');
  if (state.caCertPem !== undefined && (ca?.type !== 'data' || !ca.value.equals(Buffer.from(pemDer(state.caCertPem))))) stale.push('VPN CA');
  if (ikev2Settings(site).auth === 'certificate') {
    const p12 = payload(root, PAYLOAD_TYPE_PKCS12)?.get('PayloadContent');
    const mine = state.users.get(user.name)?.p12;
    if (p12?.type !== 'data' || mine === undefined || !p12.value.equals(Buffer.from(mine))) stale.push('certificate');
  } else {
    const pw = d?.get('AuthPassword');
    if (pw?.type === 'string' && pw.value !== site.secrets.passwords.get(user.name)) stale.push('password');
  }
  return stale;
}
