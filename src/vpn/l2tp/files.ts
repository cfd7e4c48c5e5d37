/**
 * The files L2TP installs on the router (DESIGN.md §3 "Server tree names"): mode 0600 root:wheel
 * for all three, as etc/mtree/special has them (openbsd.md §1–3).
 */
import type { InstalledFile } from '../vpn-type.js';

export const IPSEC_CONF: InstalledFile = { tree: 'etc/ipsec.conf', target: '/etc/ipsec.conf', mode: '0600' };
export const NPPPD_CONF: InstalledFile = { tree: 'etc/npppd/npppd.conf', target: '/etc/npppd/npppd.conf', mode: '0600' };
export const NPPPD_USERS: InstalledFile = { tree: 'etc/npppd/npppd-users', target: '/etc/npppd/npppd-users', mode: '0600' };

/** The site's shared secret. */
export const PSK_FILE = 'secrets/psk';
