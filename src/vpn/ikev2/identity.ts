/**
 * A user's IKE identity in certificate mode: `<name>.<server>`, a DNS name, because iked matches
 * a non-DN IKE ID against the certificate's subjectAltName and macOS sends FQDN identities
 * (iked.md §4 items 1–2); it is both the certificate's SAN and the profile's LocalIdentifier,
 * and it sits inside the VPN CA's permitted subtree (the server's name).
 */
import type { Settings, User } from '../../site/types.js';

/** IKEv2 certificate user names are single DNS labels (RFC 1035 §2.3.1, at most 63 octets). */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function checkCertificateUserName(name: string): string | undefined {
  return LABEL.test(name) ? undefined : 'cannot be a certificate identity (IKEv2 user names are letters, digits and inner hyphens, at most 63)';
}

export const userIdentity = (settings: Pick<Settings, 'server'>, user: Pick<User, 'name'>): string => `${user.name.toLowerCase()}.${settings.server.toLowerCase()}`;
