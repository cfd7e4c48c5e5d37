/**
 * /etc/sysctl.conf lines (openbsd.md §4): pipex is still off by default in 2025 (pipex.c) and npppd
 * needs it; forwarding routes the clients' traffic. install.sh merges these into /etc/sysctl.conf
 * (applied early by /etc/rc) and sets them at once with sysctl(8).
 */
import type { Site } from '../site/types.js';
import type { OpenbsdRelease } from './versions.js';
import { headerLines, joinLines } from './header.js';

/** Same on every release 5.6 → 7.9 (openbsd.md version table, "pipex sysctl" column). */
export const SYSCTL_SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ['net.pipex.enable', '1'],
  ['net.inet.ip.forwarding', '1'],
];

export function sysctlLines(): string[] {
  return SYSCTL_SETTINGS.map(([k, v]) => `${k}=${v}`);
}

export function renderSysctl(site: Site, release: OpenbsdRelease): string {
  return joinLines([
    ...headerLines('sysctl.conf lines', site, release.version),
    '# install.sh merges these into /etc/sysctl.conf (replacing other values of the same keys).',
    ...sysctlLines(),
  ]);
}
