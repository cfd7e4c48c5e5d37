/**
 * check.sh: the staging and validation half of install.sh, changing nothing. Run it on the router
 * before install.sh to see whether the parsers accept the new files and which files would change.
 */
import type { Site } from '../site/types.js';
import type { OpenbsdRelease } from './versions.js';
import { INSTALLED_FILES } from './server-paths.js';
import { mergedFiles, ownership, prelude, staging, validation } from './render-script-parts.js';
import { joinLines } from './header.js';

export function renderCheckScript(site: Site, release: OpenbsdRelease): string {
  const targets: Array<[string, string]> = [
    ...INSTALLED_FILES.map((f): [string, string] => [f.target.split('/').pop()!, f.target]),
    ...mergedFiles(release).map((f): [string, string] => [f.stage, f.target]),
  ];
  return joinLines([
    ...prelude('check.sh', [
      'Checks the files next to this script with ipsecctl -n, npppd -n and pfctl -n and lists what',
      'install.sh would change. Changes nothing.',
    ], site, release),
    ...staging(release),
    ...validation(),
    'say "ipsecctl, npppd and pfctl accept the new configuration"',
    ...ownership(),
    'if foreign_ipsec_conf; then',
    '\twarn "/etc/ipsec.conf has rules not written by macvpn; install.sh will stop unless --replace-ipsec-conf"',
    'fi',
    '',
    '# status STAGED TARGET',
    'status() {',
    '\tif [ -f "$2" ] && cmp -s "$1" "$2"; then say "unchanged:    ${2#"$ROOT"}"; else say "would change: ${2#"$ROOT"}"; fi',
    '}',
    ...targets.map(([stage, target]) => `status "$STAGE/${stage}" "$ROOT${target}"`),
  ]);
}
