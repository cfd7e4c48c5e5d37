/**
 * The OpenBSD server tree as a plan: every file with its exact bytes and mode, paths relative to
 * the output folder, mirroring the router (DESIGN.md §2–§3). The site's VPN type supplies its own
 * files, pf rules, sysctl settings and daemons; this is the frame around them. Pure.
 */
import type { Site } from '../site/types.js';
import { MODE_PUBLIC, MODE_SCRIPT, MODE_SECRET, type OutputFile } from './output-file.js';
import { compareOpenbsd, KNOWN_OPENBSD, openbsdRelease, type OpenbsdRelease } from '../openbsd/versions.js';
import { MacvpnError } from '../errors.js';
import { CHECK_SCRIPT, INSTALL_SCRIPT, PF_ANCHOR, SYSCTL_FRAGMENT } from '../openbsd/server-paths.js';
import { renderPfAnchor } from '../openbsd/render-pf-anchor.js';
import { renderSysctl } from '../openbsd/render-sysctl.js';
import { renderInstallScript } from '../openbsd/render-install-script.js';
import { renderCheckScript } from '../openbsd/render-check-script.js';
import { vpnTypeOf } from '../vpn/index.js';

export interface PlanServerOptions {
  /** Target release; default: the site's `openbsd` setting. */
  openbsd?: string;
}

/** The release for `version`, or an error listing the known ones. */
export function resolveRelease(version: string): OpenbsdRelease {
  const release = openbsdRelease(version);
  if (!release) {
    throw new MacvpnError(`OpenBSD ${JSON.stringify(version)} is not a known release`, [`known releases: ${KNOWN_OPENBSD.join(', ')}`]);
  }
  return release;
}

/** The release, refused when the site's VPN type needs a newer one (naming the first that works). */
export function siteRelease(site: Site, version: string = site.openbsd): OpenbsdRelease {
  const release = resolveRelease(version);
  const type = vpnTypeOf(site);
  const min = type.minOpenbsd(site);
  if (min && compareOpenbsd(release.version, min.version) < 0) {
    throw new MacvpnError(`OpenBSD ${release.version} cannot serve this ${type.label} site: it needs OpenBSD ${min.version} or later (${min.why})`);
  }
  return release;
}

export function planServer(site: Site, opts: PlanServerOptions = {}): OutputFile[] {
  const release = siteRelease(site, opts.openbsd ?? site.openbsd);
  const parts = vpnTypeOf(site).serverParts(site, release);
  return [
    // The type's files: 0600 as etc/mtree/special has the /etc counterparts (openbsd.md §1–§3,
    // iked.md §1); install.sh sets the router's modes.
    ...parts.files.map((f): OutputFile => ({
      path: f.tree,
      contents: f.contents,
      mode: f.mode === '0600' ? MODE_SECRET : MODE_PUBLIC,
      ...(f.secret && { secret: true }),
    })),
    { path: PF_ANCHOR.tree, contents: renderPfAnchor(site, release, parts), mode: MODE_SECRET },
    { path: SYSCTL_FRAGMENT, contents: renderSysctl(site, release, parts), mode: MODE_PUBLIC },
    { path: INSTALL_SCRIPT, contents: renderInstallScript(site, release, parts), mode: MODE_SCRIPT },
    { path: CHECK_SCRIPT, contents: renderCheckScript(site, release, parts), mode: MODE_SCRIPT },
  ];
}
