/**
 * What install.sh and check.sh do for IKEv2: validate iked.conf with `iked -n` and the server
 * certificate against the CA and CRL with openssl (LibreSSL, in base), hand over from a router
 * macvpn had set up for L2TP only after that passed (isakmpd and iked both need UDP 500), enable
 * iked, and start it or make it reload: `ikectl reload` re-reads iked.conf and resets the CA
 * store, so a new CRL takes effect without dropping other users' tunnels (iked.c parent_reload:
 * RESET_RELOAD sends RESET_CA to the ca process, whose ca_reset reloads ca/ and crls/).
 */
import type { ServiceStyle } from '../../openbsd/versions.js';
import type { InstalledFile, ServiceScript } from '../vpn-type.js';
import { PF_CHECK } from '../../openbsd/render-script-parts.js';
import { stageName } from '../../openbsd/server-paths.js';
import { shellSafe } from '../../openbsd/quote.js';
import { CA_CRL, CA_CRT, IKED_CONF, IKED_DIRS } from './files.js';

const ENABLE: Readonly<Record<ServiceStyle, string[]>> = {
  // iked needs OpenBSD 6.9+ (index.ts minOpenbsd), where rcctl set exists; these two never render.
  'rc-conf-local': ['# no rcctl before 5.7: iked_flags="" in /etc/rc.conf.local (installed above).'],
  'rcctl-enable': ['rcctl enable iked'],
  'rcctl-set': ['# rcctl set, one daemon per call (rcctl.8; openbsd.md "Additions" 9).', 'rcctl set iked status on'],
};

/** install.sh and check.sh for these files (the server certificate's name depends on the site). */
export function ikev2Script(files: readonly InstalledFile[], serverCert: InstalledFile, certMode: boolean, server: string): ServiceScript {
  // The IKE ID iked knows a user by: the certificate identity, or the EAP login name.
  const idOf = certMode ? `NAME.${shellSafe(server, 'server')}` : 'NAME';
  const targets = files.map((f) => f.target).join(' ');
  const crlCheck = certMode ? ` -crl_check -CRLfile "$STAGE/${stageName(CA_CRL.target)}"` : '';
  return {
    installPurpose: [
      'Installs the files next to this script on this OpenBSD router and starts the VPN:',
      `/etc/iked.conf, the certificates and key under /etc/iked, /etc/pf.macvpn.conf, the pf anchor`,
      'hook in /etc/pf.conf, sysctl lines in /etc/sysctl.conf; enables iked. On a router macvpn set',
      'up for L2TP it stops and disables isakmpd and npppd, only after the new configuration passed.',
      'Every file it replaces is copied to /var/backups/macvpn/ first. Safe to run again.',
    ],
    checkPurpose: [
      'Checks the files next to this script with iked -n, openssl verify and pfctl -n and lists what',
      'install.sh would change. Changes nothing.',
    ],
    restartHelp: 'restart iked even if its configuration is unchanged (drops every tunnel)',
    flags: [],
    rcConfLocal: { lines: ['iked_flags=""'], keys: ['iked_flags'] },
    validate: [
      `iked -n -f "$STAGE/${stageName(IKED_CONF.target)}" || die "iked rejected iked.conf: nothing was changed"`,
      // The certificate iked will present must chain to the CA the profiles trust (and not be revoked).
      `openssl verify -CAfile "$STAGE/${stageName(CA_CRT.target)}"${crlCheck} -purpose sslserver "$STAGE/${stageName(serverCert.target)}" >/dev/null ||`,
      `\tdie "the server certificate does not verify against the VPN CA: nothing was changed"`,
      PF_CHECK,
    ],
    ownership: [
      '# l2tp_by_macvpn: this router runs the L2TP VPN macvpn set up (its ipsec.conf is ours).',
      'l2tp_by_macvpn() {',
      '\t[ -f "$ROOT/etc/ipsec.conf" ] && from_macvpn "$ROOT/etc/ipsec.conf" ipsec.conf',
      '}',
      'isakmpd_running() { "$ROOT/etc/rc.d/isakmpd" check >/dev/null 2>&1; }',
      'isakmpd_enabled() { rcctl ls on 2>/dev/null | grep -qx isakmpd; }',
    ],
    beforeInstall: [
      '# isakmpd and iked both need UDP 500 and 4500: one of them runs. isakmpd serving tunnels',
      '# macvpn did not set up is left alone, and nothing is changed.',
      'if isakmpd_running && ! l2tp_by_macvpn; then',
      '\tdie "isakmpd is running with an /etc/ipsec.conf not written by macvpn; iked cannot share UDP 500 with it: nothing was changed"',
      'fi',
    ],
    checkWarnings: [
      'if isakmpd_running && ! l2tp_by_macvpn; then',
      '\twarn "isakmpd runs an /etc/ipsec.conf not written by macvpn; install.sh will stop (iked needs UDP 500)"',
      'elif l2tp_by_macvpn && { isakmpd_running || isakmpd_enabled; }; then',
      '\twarn "install.sh will stop and disable the L2TP VPN (isakmpd, npppd) and start iked instead"',
      'fi',
    ],
    accepted: 'iked, openssl and pfctl accept the new configuration',
    dirs: IKED_DIRS.map((d) => ({ ...d })),
    enable: (style) => ENABLE[style],
    start: [
      '# 6. Hand over from the L2TP VPN macvpn set up, now that the iked files passed and are in',
      '# place: stop and disable npppd and isakmpd (ipsec.conf stays, for a way back).',
      'if l2tp_by_macvpn && { isakmpd_running || isakmpd_enabled; }; then',
      '\tsay "handing over from the L2TP VPN: stopping and disabling npppd and isakmpd"',
      '\t"$ROOT/etc/rc.d/npppd" stop >/dev/null 2>&1 || true',
      '\t"$ROOT/etc/rc.d/isakmpd" stop >/dev/null 2>&1 || true',
      '\trcctl disable npppd',
      '\trcctl disable isakmpd',
      '\trcctl disable ipsec',
      'fi',
      '# Start iked, or make it re-read iked.conf, the certificates and the CRL (ikectl reload),',
      '# which keeps the other users connected. --restart restarts it instead.',
      'IKED_CHANGED=no',
      `for f in ${targets}; do`,
      '\tif changed "$f"; then IKED_CHANGED=yes; fi',
      'done',
      'if ! "$ROOT/etc/rc.d/iked" check >/dev/null 2>&1; then',
      '\t"$ROOT/etc/rc.d/iked" start',
      'elif [ "$RESTART" = yes ]; then',
      '\t"$ROOT/etc/rc.d/iked" restart',
      'elif [ "$IKED_CHANGED" = yes ]; then',
      '\tikectl reload',
      '\tsay "iked reloaded its configuration, certificates and CRL"',
      `\tsay "to end a removed user's tunnel now: ikectl reset id ${idOf}"`,
      'fi',
    ],
    done: 'done: connect a Mac, then check with: ikectl show sa',
  };
}
