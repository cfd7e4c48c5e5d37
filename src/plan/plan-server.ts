/**
 * The OpenBSD server tree as a plan: every file with its exact bytes and mode, paths relative to
 * the output folder, mirroring the router (DESIGN.md §2–§3). Pure.
 */
import type { Site } from '../site/types.js';
import { MODE_PUBLIC, MODE_SCRIPT, MODE_SECRET, type OutputFile } from './output-file.js';
import { KNOWN_OPENBSD, openbsdRelease, type OpenbsdRelease } from '../openbsd/versions.js';
import { MacvpnError } from '../errors.js';
import { CHECK_SCRIPT, INSTALL_SCRIPT, IPSEC_CONF, NPPPD_CONF, NPPPD_USERS, PF_ANCHOR, SYSCTL_FRAGMENT } from '../openbsd/server-paths.js';
import { renderIpsecConf } from '../openbsd/render-ipsec-conf.js';
import { renderNpppdConf } from '../openbsd/render-npppd-conf.js';
import { renderNpppdUsers } from '../openbsd/render-npppd-users.js';
import { renderPfAnchor } from '../openbsd/render-pf-anchor.js';
import { renderSysctl } from '../openbsd/render-sysctl.js';
import { renderInstallScript } from '../openbsd/render-install-script.js';
import { renderCheckScript } from '../openbsd/render-check-script.js';

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

export function planServer(site: Site, opts: PlanServerOptions = {}): OutputFile[] {
  const release = resolveRelease(opts.openbsd ?? site.openbsd);
  // ipsec.conf and npppd-users hold secrets; npppd.conf and the pf anchor are 0600 as mtree
  // expects for their /etc counterparts (openbsd.md §1–§3, §6); install.sh sets the router's modes.
  return [
    { path: IPSEC_CONF.tree, contents: renderIpsecConf(site, release), mode: MODE_SECRET, secret: true },
    { path: NPPPD_CONF.tree, contents: renderNpppdConf(site, release), mode: MODE_SECRET },
    { path: NPPPD_USERS.tree, contents: renderNpppdUsers(site, release), mode: MODE_SECRET, secret: true },
    { path: PF_ANCHOR.tree, contents: renderPfAnchor(site, release), mode: MODE_SECRET },
    { path: SYSCTL_FRAGMENT, contents: renderSysctl(site, release), mode: MODE_PUBLIC },
    { path: INSTALL_SCRIPT, contents: renderInstallScript(site, release), mode: MODE_SCRIPT },
    { path: CHECK_SCRIPT, contents: renderCheckScript(site, release), mode: MODE_SCRIPT },
  ];
}
