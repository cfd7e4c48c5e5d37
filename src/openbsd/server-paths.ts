/**
 * Where each generated file sits in the output tree and on the router (DESIGN.md §3 "Server tree
 * names"). The tree mirrors the target: `etc/ipsec.conf` is installed as `/etc/ipsec.conf`.
 */

/** A file copied as-is onto the router. */
export interface InstalledFile {
  /** Path in the output tree. */
  tree: string;
  /** Absolute path on the router. */
  target: string;
  /** Octal mode on the router (etc/mtree/special: 0600 root:wheel for all four, openbsd.md §1–3, §6). */
  mode: '0600';
}

export const IPSEC_CONF: InstalledFile = { tree: 'etc/ipsec.conf', target: '/etc/ipsec.conf', mode: '0600' };
export const NPPPD_CONF: InstalledFile = { tree: 'etc/npppd/npppd.conf', target: '/etc/npppd/npppd.conf', mode: '0600' };
export const NPPPD_USERS: InstalledFile = { tree: 'etc/npppd/npppd-users', target: '/etc/npppd/npppd-users', mode: '0600' };
export const PF_ANCHOR: InstalledFile = { tree: 'etc/pf.macvpn.conf', target: '/etc/pf.macvpn.conf', mode: '0600' };

/** Copied in this order; validation covers all of them before the first copy. */
export const INSTALLED_FILES: readonly InstalledFile[] = [IPSEC_CONF, NPPPD_CONF, NPPPD_USERS, PF_ANCHOR];

/** Lines merged into /etc/sysctl.conf by install.sh (not copied). */
export const SYSCTL_FRAGMENT = 'etc/sysctl.macvpn.conf';
export const INSTALL_SCRIPT = 'install.sh';
export const CHECK_SCRIPT = 'check.sh';

/** The pf anchor name and the two lines that hook it into /etc/pf.conf (pf.conf(5) "ANCHORS"). */
export const PF_ANCHOR_NAME = 'macvpn';
export const PF_HOOK_LINES = [`anchor "${PF_ANCHOR_NAME}"`, `load anchor "${PF_ANCHOR_NAME}" from "${PF_ANCHOR.target}"`] as const;

/** Marks the lines install.sh adds to /etc/pf.conf, /etc/sysctl.conf and /etc/rc.conf.local. */
export const MERGE_MARKER = '# added by macvpn install.sh';
