/**
 * check.sh: the staging and validation half of install.sh, changing nothing. Run it on the router
 * before install.sh to see whether the parsers accept the new files and which files would change.
 */
import type { Site } from '../site/types.js';
import type { OpenbsdRelease } from './versions.js';
import type { ServerParts } from '../vpn/vpn-type.js';
import { stageName } from './server-paths.js';
import { installedFiles, mergedFiles, ownership, prelude, staging, validation } from './render-script-parts.js';
import { joinLines } from './header.js';

export function renderCheckScript(site: Site, release: OpenbsdRelease, parts: ServerParts): string {
  const targets: Array<[string, string]> = [
    ...installedFiles(parts).map((f): [string, string] => [stageName(f.target), f.target]),
    ...mergedFiles(release).map((f): [string, string] => [f.stage, f.target]),
  ];
  return joinLines([
    ...prelude('check.sh', parts.script.checkPurpose, site, release, parts),
    ...staging(release, parts),
    ...validation(parts),
    `say "${parts.script.accepted}"`,
    ...ownership(parts),
    ...parts.script.checkWarnings,
    '',
    '# status STAGED TARGET',
    'status() {',
    '\tif [ -f "$2" ] && cmp -s "$1" "$2"; then say "unchanged:    ${2#"$ROOT"}"; else say "would change: ${2#"$ROOT"}"; fi',
    '}',
    ...targets.map(([stage, target]) => `status "$STAGE/${stage}" "$ROOT${target}"`),
  ]);
}
