/**
 * install.sh: stage, validate, then install, enable, load and (re)start — in that order, so a
 * rejected file leaves the old configuration live. Idempotent: files are copied and backed up only
 * when their bytes differ, daemons restart only when their configuration changed (or with
 * --restart), so a second run changes nothing.
 */
import type { Site } from '../site/types.js';
import type { OpenbsdRelease } from './versions.js';
import type { ServerParts } from '../vpn/vpn-type.js';
import { stageName, SYSCTL_FRAGMENT } from './server-paths.js';
import { installedFiles, mergedFiles, ownership, prelude, staging, validation } from './render-script-parts.js';
import { joinLines } from './header.js';

/** `--restart` is every type's; the type adds its own flags after it. */
const RESTART_FLAG = { flag: '--restart', variable: 'RESTART' } as const;

export function renderInstallScript(site: Site, release: OpenbsdRelease, parts: ServerParts): string {
  const script = parts.script;
  const flags = [{ ...RESTART_FLAG, help: script.restartHelp }, ...script.flags];
  const usage = `sh install.sh ${flags.map((f) => `[${f.flag}]`).join(' ')}`;
  const puts = [
    ...installedFiles(parts).map((f) => `put "$STAGE/${stageName(f.target)}" "$ROOT${f.target}" ${f.mode}`),
    ...mergedFiles(release).map((f) => `put "$STAGE/${f.stage}" "$ROOT${f.target}" ${f.mode}`),
  ];
  return joinLines([
    ...prelude('install.sh', [
      ...script.installPurpose,
      `Usage: ${usage}`,
      ...flags.map((f) => `  ${f.flag.padEnd(22)}${f.help}`),
    ], site, release, parts),
    ...flags.map((f) => `${f.variable}=no`),
    'for arg in "$@"; do',
    '\tcase $arg in',
    ...flags.map((f) => `\t${f.flag}) ${f.variable}=yes ;;`),
    `\t*) die "unknown argument $arg (usage: ${usage})" ;;`,
    '\tesac',
    'done',
    '',
    ...staging(release, parts),
    ...validation(parts),
    ...ownership(parts),
    ...script.beforeInstall,
    '',
    '# 3. Install: back up and replace only the files whose bytes differ.',
    'BACKUP_DIR=$ROOT/var/backups/macvpn',
    'CHANGED=" "',
    'backup() {',
    '\t[ -d "$BACKUP_DIR" ] || { mkdir -p "$BACKUP_DIR" && chmod 0700 "$BACKUP_DIR"; }',
    "\tname=$(printf '%s' \"${1#\"$ROOT\"}\" | sed 's|^/||; s|/|_|g')",
    '\tn=1',
    '\twhile [ -e "$BACKUP_DIR/$name.$n" ]; do n=$((n + 1)); done',
    '\tcp -p "$1" "$BACKUP_DIR/$name.$n"',
    '\tsay "backed up ${1#"$ROOT"} to ${BACKUP_DIR#"$ROOT"}/$name.$n"',
    '}',
    '# put STAGED TARGET MODE',
    'put() {',
    '\tif [ -f "$2" ] && cmp -s "$1" "$2"; then',
    '\t\tchmod "$3" "$2"',
    '\t\treturn 0',
    '\tfi',
    '\tif [ -f "$2" ]; then backup "$2"; fi',
    '\tinstall -o root -g wheel -m "$3" "$1" "$2"',
    '\tCHANGED="$CHANGED${2#"$ROOT"} "',
    '\tsay "installed ${2#"$ROOT"} (mode $3)"',
    '}',
    'changed() { case $CHANGED in *" $1 "*) return 0 ;; esac; return 1; }',
    '',
    ...script.dirs.map((d) => `[ -d "$ROOT${d.path}" ] || install -d -o root -g wheel -m ${d.mode} "$ROOT${d.path}"`),
    ...puts,
    '',
    '# 4. Enable the services.',
    ...script.enable(release.services),
    '',
    '# 5. Apply the sysctl settings now (/etc/sysctl.conf applies them at boot), then load pf.',
    `grep -v -e '^#' -e '^$' "$HERE/${SYSCTL_FRAGMENT}" | while read -r line; do sysctl "$line"; done`,
    'pfctl -f "$ROOT/etc/pf.conf"',
    '',
    ...script.start,
    '',
    'if [ "$CHANGED" = " " ]; then say "nothing to change: the router already runs this configuration"; fi',
    `say "${script.done}"`,
  ]);
}
