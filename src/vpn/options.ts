/**
 * The registry's light half: each VPN type's `init` options and help, for the command line to
 * declare without loading the types themselves (macvpn's start-up budget, DESIGN.md §6). The
 * options are validated by the type (src/vpn/<type>/settings.ts); VpnType.initOptions lists the
 * same keys, which a test keeps in step.
 */
export interface InitOptionSpec {
  /** commander flags, e.g. `--auth <mode>`. */
  flags: string;
  help: string;
}

export const VPN_CHOICES_HELP = 'VPN type: "l2tp" (L2TP over IPsec: isakmpd + npppd, the default) or "ikev2" (IKEv2: iked)';

/** Options of one type only, by type id. */
export const TYPE_INIT_OPTIONS: Readonly<Record<string, readonly InitOptionSpec[]>> = {
  l2tp: [{ flags: '--psk-stdin', help: 'l2tp: read the shared secret from standard input instead of generating one' }],
  ikev2: [
    { flags: '--auth <mode>', help: 'ikev2: "certificate" (one per user, the default) or "eap" (EAP-MSCHAPv2 passwords)' },
    { flags: '--suite <suite>', help: 'ikev2: "gcm" (AES-256-GCM, the default) or "cbc" (AES-256-CBC + HMAC-SHA2-512)' },
    { flags: '--user-key <type>', help: 'ikev2 certificates: "ecdsa" (P-256, the default) or "rsa" (RSA-2048)' },
  ],
};

export const INIT_EXAMPLE_OTHER_TYPE = 'macvpn init --server vpn.example.com --vpn ikev2 --dns 192.168.1.1';
