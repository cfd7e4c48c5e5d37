/**
 * The two crypto suites (DESIGN.md §3), each one pinned proposal that the profile and iked.conf
 * state identically: a Mac proposes exactly one suite per SA (com.apple.vpn.managed.yaml: one
 * value per key), so iked must list that suite, never its defaults, which still carry 3DES, SHA-1
 * and modp1024 (iked.md §2, iked.conf.5 CRYPTO TRANSFORMS).
 */

/** Apple's SA parameter dictionary values (IKESecurityAssociationParameters and Child…). */
export interface AppleSaParameters {
  EncryptionAlgorithm: string;
  IntegrityAlgorithm: string;
  DiffieHellmanGroup: number;
  LifeTimeInMinutes: number;
}

export interface Suite {
  /** What `suite:` says in macvpn.yaml. */
  id: 'gcm' | 'cbc';
  description: string;
  ike: AppleSaParameters;
  child: AppleSaParameters;
  /** iked.conf transforms, in parse.y's order within each (enc, auth, prf, group). */
  ikesa: string;
  childsa: string;
}

/** 1440 minutes: Apple's default and maximum (iked's own ikelifetime default is also 24 h). */
const DAY_MINUTES = 1440;

export const SUITES: Readonly<Record<Suite['id'], Suite>> = {
  // The recommended pair (iked.md §2): AES-256-GCM (IANA 20, 16-byte ICV) with PRF HMAC-SHA2-512
  // and ECP-384 (group 20); with GCM, Apple's IntegrityAlgorithm becomes the PRF (INFERRED from
  // trailofbits/algo's field-proven pairing with strongSwan aes256gcm16-prfsha512-ecp384).
  // AES-GCM for the IKE SA needs OpenBSD 6.8 (iked.md §1 "What arrived when").
  gcm: {
    id: 'gcm',
    description: 'AES-256-GCM, PRF HMAC-SHA2-512, ECP-384',
    ike: { EncryptionAlgorithm: 'AES-256-GCM', IntegrityAlgorithm: 'SHA2-512', DiffieHellmanGroup: 20, LifeTimeInMinutes: DAY_MINUTES },
    child: { EncryptionAlgorithm: 'AES-256-GCM', IntegrityAlgorithm: 'SHA2-512', DiffieHellmanGroup: 20, LifeTimeInMinutes: DAY_MINUTES },
    ikesa: 'enc aes-256-gcm prf hmac-sha2-512 group ecp384',
    childsa: 'enc aes-256-gcm group ecp384',
  },
  // AES-256-CBC with HMAC-SHA2-512 and ECP-384: the suite Linux's portable iked can also install
  // (it drops AES-GCM Child SAs, iked.md §6), so the lab runs it end to end.
  cbc: {
    id: 'cbc',
    description: 'AES-256-CBC, HMAC-SHA2-512, ECP-384',
    ike: { EncryptionAlgorithm: 'AES-256', IntegrityAlgorithm: 'SHA2-512', DiffieHellmanGroup: 20, LifeTimeInMinutes: DAY_MINUTES },
    child: { EncryptionAlgorithm: 'AES-256', IntegrityAlgorithm: 'SHA2-512', DiffieHellmanGroup: 20, LifeTimeInMinutes: DAY_MINUTES },
    ikesa: 'enc aes-256 auth hmac-sha2-512 prf hmac-sha2-512 group ecp384',
    childsa: 'enc aes-256 auth hmac-sha2-512 group ecp384',
  },
};

export const SUITE_IDS = Object.keys(SUITES) as Array<Suite['id']>;
