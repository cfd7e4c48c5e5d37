/**
 * The IKEv2 profile (iked.md §3, apple-schema/com.apple.vpn.managed.yaml, .security.pkcs12.yaml,
 * .security.root.yaml): the VPN CA as a root payload, in certificate mode the user's PKCS#12
 * identity with its Password (so it installs without a prompt), and the com.apple.vpn.managed
 * payload whose SA parameters equal iked.conf's ikesa/childsa (suites.ts).
 */
import type { Site, User } from '../../site/types.js';
import type { ProfileParts } from '../vpn-type.js';
import type { ProfileIds } from '../../apple/payload-ids.js';
import type { PlistObject } from '../../apple/plist-types.js';
import { vpnDisplayName } from '../../apple/display-name.js';
import { PAYLOAD_TYPE_PKCS12, PAYLOAD_TYPE_ROOT, PAYLOAD_TYPE_VPN } from '../../apple/payload-types.js';
import { MacvpnError } from '../../errors.js';
import { ikev2Settings } from './settings.js';
import { SUITES } from './suites.js';
import { certKeyType, ikev2State, pemDer, type Ikev2State } from './state.js';
import { caCommonName } from './issue.js';
import { bufferView } from '../../bytes.js';
import { userIdentity } from './identity.js';

/** The payload kinds whose UUIDs profileIds derives (stable per site and user). */
export const KIND = { vpn: 'vpn.ikev2', identity: 'identity.ikev2', root: 'root.ikev2' } as const;

function onDemandRules(trustedWifi: readonly string[]): PlistObject[] {
  // Rules are taken in order; end with a catch-all (iked.md §3, Algo's template).
  return [
    ...(trustedWifi.length > 0 ? [{ Action: 'Disconnect', InterfaceTypeMatch: 'WiFi', SSIDMatch: [...trustedWifi] }] : []),
    { Action: 'Connect' },
  ];
}

/** The CA's DER per loaded state: one decode per build thread instead of one per profile. */
const caDerOf = new WeakMap<Ikev2State, Buffer>();

export function ikev2Profile(site: Site, user: User, ids: ProfileIds, opts: { includePassword: boolean }): ProfileParts {
  const v = ikev2Settings(site);
  const suite = SUITES[v.suite];
  const state = ikev2State(site);
  const name = vpnDisplayName(site.organization);
  const common = (kind: string, suffix: string, displayName: string) => ({
    PayloadIdentifier: `${ids.base}.${suffix}`,
    PayloadUUID: ids.uuid(kind),
    PayloadVersion: 1,
    PayloadDisplayName: displayName,
    PayloadOrganization: site.organization,
  });
  if (state.caCertPem === undefined) throw new MacvpnError('the VPN CA certificate is missing', ['run "macvpn build", which issues what is missing']);
  let caDer = caDerOf.get(state);
  if (!caDer) caDerOf.set(state, (caDer = Buffer.from(pemDer(state.caCertPem))));
  const root: PlistObject = {
    ...common(KIND.root, 'vpn-ca', caCommonName(site)),
    PayloadType: PAYLOAD_TYPE_ROOT,
    PayloadCertificateFileName: 'vpn-ca.cer',
    // DER certificate data (com.apple.security.root.yaml PayloadContent <data>).
    PayloadContent: caDer,
  };
  const payloads: PlistObject[] = [root];
  const ike: PlistObject = {
    RemoteAddress: site.server,
    // = iked's srcid = the server certificate's DNS SAN (iked.md §4.1).
    RemoteIdentifier: site.server.toLowerCase(),
    // Makes the Mac send a CERTREQ naming the VPN CA (iked.md §4.3).
    ServerCertificateIssuerCommonName: caCommonName(site),
  };
  let holds: string;
  if (v.auth === 'certificate') {
    const id = state.users.get(user.name);
    const password = site.secrets.passwords.get(user.name);
    if (!id?.p12 || !id.cert || password === undefined) {
      throw new MacvpnError(`user "${user.name}" has no certificate yet`, ['run "macvpn build", which issues it']);
    }
    const identity = common(KIND.identity, 'identity', `${userIdentity(site, user)} (VPN certificate)`);
    payloads.push({
      ...identity,
      PayloadType: PAYLOAD_TYPE_PKCS12,
      PayloadCertificateFileName: `${user.name}.p12`,
      // The bytes as loaded, not a copy.
      PayloadContent: bufferView(id.p12),
      // Needed to import without a prompt; it protects nothing from whoever holds this file
      // (Apple's CertificatePKCS12 note, apple.md §3): the profile itself is the secret.
      Password: password,
    });
    Object.assign(ike, {
      // = a DNS SAN of the user's certificate, which iked checks the IKE ID against (iked.md §4.2).
      LocalIdentifier: userIdentity(site, user),
      AuthenticationMethod: 'Certificate',
      PayloadCertificateUUID: identity.PayloadUUID,
      CertificateType: certKeyType(id.cert) === 'ECDSA256' ? 'ECDSA256' : 'RSA',
      ExtendedAuthEnabled: 0,
    });
    holds = 'your VPN certificate and its key';
  } else {
    const password = opts.includePassword ? site.secrets.passwords.get(user.name) : undefined;
    // EAP only: AuthenticationMethod None with ExtendedAuthEnabled 1 (None alone falls back to a
    // shared secret); the server still proves itself with its certificate (iked.md §3).
    Object.assign(ike, {
      LocalIdentifier: user.name,
      AuthenticationMethod: 'None',
      ExtendedAuthEnabled: 1,
      AuthName: user.name,
      ...(password !== undefined && { AuthPassword: password }),
    });
    holds = password !== undefined ? 'your VPN password' : '';
  }
  Object.assign(ike, {
    IKESecurityAssociationParameters: { ...suite.ike },
    ChildSecurityAssociationParameters: { ...suite.child },
    // Rekey Child SAs with the child DH group, which iked's childsa lists (iked.md §2).
    EnablePFS: 1,
    // iked does not redirect (iked.md §3); MOBIKE stays on (iked's responder supports it).
    DisableRedirect: 1,
    DisableMOBIKE: 0,
    DeadPeerDetectionRate: 'Medium',
    UseConfigurationAttributeInternalIPSubnet: 0,
    // Everything through the tunnel (macOS 10.15+), local networks excepted (printers, AirPlay).
    IncludeAllNetworks: 1,
    ExcludeLocalNetworks: 1,
    ...(v.onDemand.enabled && { OnDemandEnabled: 1, OnDemandRules: onDemandRules(v.onDemand.trustedWifi) }),
  });
  const vpn: PlistObject = {
    ...common(KIND.vpn, 'vpn', name),
    PayloadType: PAYLOAD_TYPE_VPN,
    UserDefinedName: name,
    VPNType: 'IKEv2',
    IKEv2: ike,
  };
  if (site.dns.length > 0) vpn.DNS = { DNSProtocol: 'Cleartext', ServerAddresses: [...site.dns] };
  payloads.push(vpn);
  const mode = v.auth === 'certificate' ? `with your own certificate (${userIdentity(site, user)})` : `as ${user.name} with a password`;
  const ask = v.auth === 'eap' && !opts.includePassword ? ' You will be asked for your VPN password when you connect.' : '';
  return {
    payloads,
    description:
      `Sets up the ${name} for ${user.name}: IKEv2 to ${site.server} ${mode}, sending all traffic through the VPN while connected` +
      `${v.onDemand.enabled ? ', connecting on its own where needed' : ''}.${ask}` +
      ` It installs the VPN's certificate authority, trusted for this VPN only.${holds ? ` This profile contains ${holds}: do not forward it.` : ''}`,
  };
}
