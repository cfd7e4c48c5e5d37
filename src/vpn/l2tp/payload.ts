/**
 * The com.apple.vpn.managed payload for L2TP over IPsec (apple.md §2, apple-schema/
 * com.apple.vpn.managed.yaml).
 */
import type { PlistObject } from '../../apple/plist-types.js';
import { PAYLOAD_TYPE_VPN } from '../../apple/payload-types.js';

export interface L2tpPayloadInput {
  identifier: string;
  uuid: string;
  organization: string;
  /** Shown as the VPN's name in System Settings › VPN. */
  displayName: string;
  server: string;
  account: string;
  /** Omitted: macOS asks for the password when connecting. */
  password?: string;
  psk: string;
  dns: readonly string[];
}

export function buildL2tpPayload(p: L2tpPayloadInput): PlistObject {
  const ppp: PlistObject = { CommRemoteAddress: p.server, AuthName: p.account };
  if (p.password !== undefined) ppp.AuthPassword = p.password;
  const payload: PlistObject = {
    PayloadType: PAYLOAD_TYPE_VPN,
    PayloadVersion: 1,
    PayloadIdentifier: p.identifier,
    PayloadUUID: p.uuid,
    PayloadDisplayName: p.displayName,
    PayloadOrganization: p.organization,
    UserDefinedName: p.displayName,
    VPNType: 'L2TP',
    PPP: ppp,
    IPSec: {
      AuthenticationMethod: 'SharedSecret',
      LocalIdentifierType: 'KeyID',
      // <data>, not <string>: the raw PSK bytes, base64-encoded once by the plist writer
      // (apple.md §2; Apple's example is double-encoded, do not copy it).
      SharedSecret: Buffer.from(p.psk, 'utf8'),
    },
    // "Send all traffic over VPN connection": <integer>1</integer>, never <true/>
    // (com.apple.vpn.managed.yaml IPv4.OverridePrimary; halo/macosvpn#43).
    IPv4: { OverridePrimary: 1 },
  };
  if (p.dns.length > 0) {
    // DNSProtocol and ServerAddresses are both required in the DNS dictionary (schema).
    payload.DNS = { DNSProtocol: 'Cleartext', ServerAddresses: [...p.dns] };
  }
  return payload;
}
