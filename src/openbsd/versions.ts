/**
 * The release table and the one difference every VPN type shares: how services are enabled.
 * Differences that concern one type's daemons live in that type's folder (src/vpn/<type>/).
 * Facts and sources: shared/docs/openbsd.md (version table, §2, §5, "Additions" 9).
 */

/** How services are enabled on a release. */
export type ServiceStyle =
  /** 5.6: no rcctl(8); lines in /etc/rc.conf.local (seed procedure; openbsd.md §5). */
  | 'rc-conf-local'
  /** 5.7: rcctl appears, `rcctl enable X flags …`, one daemon per call (rcctl.8 1.12). */
  | 'rcctl-enable'
  /** 5.8+: `rcctl set X status on` / `rcctl set isakmpd flags -K`, one daemon per call (rcctl.8 1.19). */
  | 'rcctl-set';

export interface OpenbsdRelease {
  version: string;
  services: ServiceStyle;
}

const NAMES = [
  '5.6', '5.7', '5.8', '5.9',
  '6.0', '6.1', '6.2', '6.3', '6.4', '6.5', '6.6', '6.7', '6.8', '6.9',
  '7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '7.7', '7.8', '7.9',
] as const;

/** Newest release (openbsd.md §8: 7.9, released 19 May 2026). */
export const NEWEST_OPENBSD = '7.9';

/** Orders release names numerically: `compareOpenbsd('6.10', '6.9') > 0`. */
export function compareOpenbsd(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number) as [number, number];
  const [bm, bn] = b.split('.').map(Number) as [number, number];
  return am !== bm ? am - bm : an - bn;
}

function describe(version: string): OpenbsdRelease {
  const services: ServiceStyle =
    compareOpenbsd(version, '5.7') < 0 ? 'rc-conf-local' : compareOpenbsd(version, '5.8') < 0 ? 'rcctl-enable' : 'rcctl-set';
  // What each VPN type's daemons need from a release lives with the type (src/vpn/<type>/).
  return { version, services };
}

export const KNOWN_OPENBSD: readonly string[] = NAMES;

/** The release description, or undefined for a version the table does not know. */
export function openbsdRelease(version: string): OpenbsdRelease | undefined {
  return (NAMES as readonly string[]).includes(version) ? describe(version) : undefined;
}
