/**
 * The registry of VPN types (DESIGN.md §4): the `vpn:` value of macvpn.yaml → its implementation.
 * Adding a type means adding a folder and a line here; shared code asks the registry only.
 */
import type { Settings } from '../site/types.js';
import type { VpnType } from './vpn-type.js';
import { L2TP } from './l2tp/index.js';
import { IKEV2 } from './ikev2/index.js';

export const VPN_TYPES: Readonly<Record<string, VpnType>> = {
  [L2TP.id]: L2TP,
  [IKEV2.id]: IKEV2,
};

/** The type of a site that does not say (sites made before `vpn:` existed). */
export const DEFAULT_VPN = L2TP.id;

export const VPN_IDS: readonly string[] = Object.keys(VPN_TYPES);

/** The site's type; settings are validated, so an unknown id is a bug. */
export function vpnTypeOf(settings: Pick<Settings, 'vpn'>): VpnType {
  const type = VPN_TYPES[settings.vpn];
  if (!type) throw new Error(`internal: unknown VPN type ${JSON.stringify(settings.vpn)}`);
  return type;
}

/** The type whose profiles carry this Apple VPNType, if any. */
export function vpnTypeByAppleName(name: string): VpnType | undefined {
  return Object.values(VPN_TYPES).find((t) => t.appleVpnType === name);
}

/** Every top-level key the types' own settings blocks use in macvpn.yaml. */
export function vpnSettingsKeys(): string[] {
  return Object.values(VPN_TYPES).flatMap((t) => (t.settingsKey ? [t.settingsKey] : []));
}

/** `macvpn import` reads a router set up by hand with the seed procedure: isakmpd + npppd. */
export { readRouterFiles, type RouterFile, type RouterFiles } from './l2tp/import/read-router.js';
