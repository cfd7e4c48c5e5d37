/**
 * A fake OpenBSD root for running the generated install.sh and check.sh (MACVPN_ROOT): stub
 * tools on PATH that log their calls, rc.d stubs that remember whether they run, install(1)
 * without the root-only -o/-g. Shared by the L2TP and IKEv2 script tests.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './cli.js';

/** A tool that logs `NAME ARGS` and succeeds, after the shell in `extra`. */
export const STUB = (name: string, extra = '') => `#!/bin/sh\necho "${name} $*" >>"$MACVPN_TEST_LOG"\n${extra}exit 0\n`;

/** An rc.d script whose daemon "runs" while var/run/NAME.running exists; `onStart` runs at start. */
export const RCD = (name: string, onStart = '') => `#!/bin/sh
echo "rc.d/${name} $*" >>"$MACVPN_TEST_LOG"
run="$MACVPN_ROOT/var/run/${name}.running"
case $1 in
check) [ -e "$run" ] ;;
start|restart) : >"$run"${onStart} ;;
stop) rm -f "$run" ;;
esac
`;

/** install(1) without -o/-g, which need root: log, then run the real one. */
const INSTALL = `#!/bin/sh\necho "install $*" >>"$MACVPN_TEST_LOG"\nargs=""\nwhile [ $# -gt 0 ]; do case $1 in -o|-g) shift 2 ;; *) args="$args $1"; shift ;; esac; done\n# shellcheck disable=SC2086\nexec /usr/bin/install $args\n`;

export interface FakeRoot {
  base: string;
  root: string;
  tree: string;
  /** Writes an executable stub into bin/ (on PATH) or, with `dir`, below the root. */
  stub: (name: string, text: string, dir?: string) => void;
  /** Runs tree/SCRIPT with the fake root; `calls` are the logged tool calls, root shown as ROOT. */
  run: (script: string, env?: Record<string, string>, args?: string[]) => { status: number | null; stdout: string; stderr: string; calls: string[] };
}

export function fakeRoot(prefix: string, cleanup: string[]): FakeRoot {
  const base = tempDir(prefix);
  cleanup.push(base);
  const root = path.join(base, 'root');
  const bin = path.join(base, 'bin');
  const tree = path.join(base, 'tree');
  const log = path.join(base, 'log');
  for (const d of [bin, tree, path.join(base, 'tmp'), path.join(root, 'etc/rc.d'), path.join(root, 'var/run')]) fs.mkdirSync(d, { recursive: true });
  const stub = (name: string, text: string, dir = bin) => fs.writeFileSync(path.join(dir, name), text, { mode: 0o755 });
  stub('install', INSTALL);
  stub('sysctl', STUB('sysctl'));
  stub('pfctl', STUB('pfctl'));
  const run = (script: string, env: Record<string, string> = {}, args: string[] = []) => {
    fs.writeFileSync(log, '');
    const r = spawnSync('sh', [path.join(tree, script), ...args], {
      env: { PATH: `${bin}:${process.env.PATH}`, MACVPN_ROOT: root, MACVPN_TEST_LOG: log, TMPDIR: path.join(base, 'tmp'), ...env },
      encoding: 'utf8',
    });
    const calls = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split(root).join('ROOT'));
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
  };
  return { base, root, tree, stub, run };
}
