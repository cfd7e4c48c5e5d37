/**
 * Where IKEv2 keeps things: on the router (DESIGN.md §3 server tree names; iked.8 FILES, ikectl's
 * layout: /etc/iked dirs 0755, private/ 0700, keys 0600, certificates and CRLs 0644, iked.md §1)
 * and in the site (the VPN CA, the server's key and certificate, one identity per user).
 */
import type { InstalledFile } from '../vpn-type.js';

export const IKED_CONF: InstalledFile = { tree: 'etc/iked.conf', target: '/etc/iked.conf', mode: '0600' };
export const CA_CRT: InstalledFile = { tree: 'etc/iked/ca/ca.crt', target: '/etc/iked/ca/ca.crt', mode: '0644' };
export const LOCAL_KEY: InstalledFile = { tree: 'etc/iked/private/local.key', target: '/etc/iked/private/local.key', mode: '0600' };
export const CA_CRL: InstalledFile = { tree: 'etc/iked/crls/ca.crl', target: '/etc/iked/crls/ca.crl', mode: '0644' };

/** iked finds its own certificate in certs/ by the subjectAltName that matches srcid (ca.c). */
export const serverCrt = (server: string): InstalledFile => ({ tree: `etc/iked/certs/${server}.crt`, target: `/etc/iked/certs/${server}.crt`, mode: '0644' });

/** The router's /etc/iked folders, created by install.sh in this order (ikectl's modes). */
export const IKED_DIRS = [
  { path: '/etc/iked', mode: '0755' },
  { path: '/etc/iked/ca', mode: '0755' },
  { path: '/etc/iked/certs', mode: '0755' },
  { path: '/etc/iked/crls', mode: '0755' },
  { path: '/etc/iked/private', mode: '0700' },
] as const;

// In the site: secrets/ holds private keys and identities (0600), pki/ the public certificates.
export const CA_KEY_PEM = 'secrets/vpn-ca-key.pem';
export const CA_CERT_PEM = 'pki/vpn-ca.pem';
export const SERVER_KEY_PEM = 'secrets/iked-key.pem';
export const SERVER_CERT_PEM = 'pki/server.pem';
export const CRL_PEM = 'pki/crl.pem';
/** Every certificate the VPN CA revoked, with why and when: the CRL is re-signed from it. */
export const REVOKED_JSON = 'pki/revoked.json';
export const PKI_DIR = 'pki';
export const USERS_PKI_DIR = 'pki/users';
export const USERS_SECRETS_DIR = 'secrets/users';

export const userCertPem = (name: string) => `${USERS_PKI_DIR}/${name}.pem`;
export const userP12 = (name: string) => `${USERS_SECRETS_DIR}/${name}.p12`;
