/**
 * Where the shared generated files sit in the output tree and on the router (DESIGN.md §3 "Server
 * tree names"). The tree mirrors the target: `etc/pf.macvpn.conf` is installed as
 * `/etc/pf.macvpn.conf`. Each VPN type names its own files (src/vpn/<type>/files.ts).
 */
import type { InstalledFile } from '../vpn/vpn-type.js';

export type { InstalledFile } from '../vpn/vpn-type.js';

/** The pf anchor, 0600 as etc/mtree/special has pf.conf (openbsd.md §6). */
export const PF_ANCHOR: InstalledFile = { tree: 'etc/pf.macvpn.conf', target: '/etc/pf.macvpn.conf', mode: '0600' };

/** Lines merged into /etc/sysctl.conf by install.sh (not copied). */
export const SYSCTL_FRAGMENT = 'etc/sysctl.macvpn.conf';
export const INSTALL_SCRIPT = 'install.sh';
export const CHECK_SCRIPT = 'check.sh';

/** The pf anchor name and the two lines that hook it into /etc/pf.conf (pf.conf(5) "ANCHORS"). */
export const PF_ANCHOR_NAME = 'macvpn';
export const PF_HOOK_LINES = [`anchor "${PF_ANCHOR_NAME}"`, `load anchor "${PF_ANCHOR_NAME}" from "${PF_ANCHOR.target}"`] as const;

/** Marks the lines install.sh adds to /etc/pf.conf, /etc/sysctl.conf and /etc/rc.conf.local. */
export const MERGE_MARKER = '# added by macvpn install.sh';

/** The name a file is staged under in install.sh's $STAGE: its base name on the router. */
export const stageName = (target: string): string => target.split('/').pop()!;
