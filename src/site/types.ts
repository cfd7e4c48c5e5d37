/**
 * Client compatibility level: `modern` for macOS 11+/iOS 14+ (the profile's DNS keys need 11, its
 * transforms 10.15; check with the Apple schema's availability, test/apple/availability.test.ts),
 * `legacy` replaces the ipsec.conf transforms with 3DES/SHA-1/modp1024 for every client.
 */
export type Compat = 'modern' | 'legacy';

/** One VPN user as stored in macvpn.yaml (no secrets). */
export interface User {
  /** Account name: the login name on the router and in the profile. */
  name: string;
  /** Fixed tunnel address inside the pool, if any. */
  ip?: string;
  /** Address `macvpn mail` sends the profile to by default. */
  email?: string;
  /**
   * Paused (`macvpn user disable`): keeps the password and certificate, but the server files
   * leave the user out (or the CRL holds the certificate), so they cannot connect after the next
   * install. Their profile is still built, and marked as disabled in `user list`.
   */
  disabled?: true;
}

/** An IPv4 pool in CIDR form, validated and normalised. */
export interface Pool {
  /** Canonical CIDR text, e.g. `10.0.0.0/24`. */
  cidr: string;
  /** Network address as a 32-bit unsigned integer. */
  network: number;
  prefix: number;
}

/** The settings part of a site: everything in macvpn.yaml. */
export interface Settings {
  /** Host name or IP address clients dial (the profile's server address). */
  server: string;
  /** `egress` or a literal local address for the ipsec.conf `from`. */
  listen: string;
  /** Target OpenBSD release, e.g. `7.9`. */
  openbsd: string;
  pool: Pool;
  dns: string[];
  organization: string;
  /** Reverse-DNS prefix for profile identifiers. */
  identifier: string;
  compat: Compat;
  /** The VPN type's id in the registry (src/vpn/index.ts): the `vpn:` key of macvpn.yaml. */
  vpn: string;
  /** The type's own settings (its block in macvpn.yaml), read and typed by the type alone. */
  vpnSettings: Readonly<Record<string, unknown>>;
  users: User[];
}

/** Secrets kept under secrets/ (and the type's public state, pki/…): never in macvpn.yaml. */
export interface Secrets {
  /** The per-user secret by user name: a login password, or a certificate's PKCS#12 password. */
  passwords: ReadonlyMap<string, string>;
  /** The VPN type's own state (a PSK, keys, certificates), read and typed by the type alone. */
  vpn: object;
}

/** A fully validated site: settings plus secrets. */
export interface Site extends Settings {
  secrets: Secrets;
}

/** One problem found while validating; `path` is the field path (`users[2].name`). */
export interface Problem {
  path: string;
  message: string;
  /** 1-based line in the source file when known. */
  line?: number;
}
