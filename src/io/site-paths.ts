/** Where everything lives inside a site folder (DESIGN.md §2). */
import path from 'node:path';

export const SITE_FILE = 'macvpn.yaml';
export const SECRETS_DIR = 'secrets';
export const PSK_FILE = 'secrets/psk';
export const PASSWORDS_FILE = 'secrets/passwords.json';
/** Signing identity: certificate, private key and the chain up to (and including) the root. */
export const SIGNER_CERT_FILE = 'secrets/signer-cert.pem';
export const SIGNER_KEY_FILE = 'secrets/signer-key.pem';
export const SIGNER_CHAIN_FILE = 'secrets/signer-chain.pem';
/** Key of the site's own CA (only for a signer that `init` created). */
export const CA_KEY_FILE = 'secrets/ca-key.pem';
/** Public copy of the site CA certificate, to install on Macs that should show "Verified". */
export const CA_CERT_FILE = 'ca.pem';
export const PROFILES_DIR = 'profiles';
export const SERVER_DIR = 'server';
export const LOCK_FILE = '.macvpn.lock';
/** The record of delivered profiles (no secrets) and the key of its fingerprints (src/delivery/delivered.ts). */
export const DELIVERED_FILE = 'delivered.json';
export const DELIVERY_KEY_FILE = 'secrets/delivery-key';
/**
 * The previous build's profiles, kept (mode 0600, as in profiles/) so that the next build writes
 * into their files instead of creating and freeing 5,000 inodes (src/io/recycle.ts).
 */
export const SPARE_DIR = '.macvpn-spare';
/** Dated copies of what `init --force` replaced. */
export const BACKUPS_DIR = 'backups';

/** The site folder: --site, then MACVPN_SITE, then the current directory. */
export function resolveSiteDir(option: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  return path.resolve(cwd, option ?? env.MACVPN_SITE ?? '.');
}

export function profilePath(user: string): string {
  return `${PROFILES_DIR}/${user}.mobileconfig`;
}

/** The previous build's profile of `user`, kept for the next build to write into (src/io/recycle.ts). */
export function sparePath(user: string): string {
  return `${SPARE_DIR}/${user}.mobileconfig`;
}
