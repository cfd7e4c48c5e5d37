/**
 * npppd's interface per release: pppac(4) first appeared in 6.7 (pppx.4 1.5, 2020-01-23) and puts
 * all sessions on one interface with no interface group, so pf names `pppac0`. Before 6.7 the
 * per-session pppx(4) interfaces join the `pppx` group (sys/net/if_pppx.c, openbsd.md §2, §6).
 */
import { compareOpenbsd, type OpenbsdRelease } from '../../openbsd/versions.js';

const hasPppac = (release: OpenbsdRelease) => compareOpenbsd(release.version, '6.7') >= 0;

/** The interface npppd.conf binds the tunnel to. */
export const npppdInterface = (release: OpenbsdRelease): 'pppac0' | 'pppx0' => (hasPppac(release) ? 'pppac0' : 'pppx0');

/** What pf rules use to match the VPN interface(s). */
export const pfInterface = (release: OpenbsdRelease): 'pppac0' | 'pppx' => (hasPppac(release) ? 'pppac0' : 'pppx');
