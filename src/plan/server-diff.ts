/**
 * `macvpn server --diff` / `build --diff`: what would change in server/, as a unified diff in
 * which no secret shows. The secrets are known, not guessed: the plan is rendered twice more with
 * every secret (passwords, the VPN type's own: PSK, private keys) replaced by a filler, once of
 * `A`s and once of `B`s. A line that differs between those two renderings carries a secret; the
 * text around it (equal in both) is kept and the secret is shown as ********. A line of the old
 * file on disk is shown as-is when the file never holds a secret, or when it equals a line the new
 * plan has without one; otherwise it is masked, keeping the text around the secret when it has
 * the shape of a secret line of the new plan (the old secrets are not known, so they never show). Pure.
 */
import type { Site } from '../site/types.js';
import { vpnTypeOf } from '../vpn/index.js';
import type { OutputFile } from './output-file.js';
import { planServer, type PlanServerOptions } from './plan-server.js';
import { unifiedDiff } from './unified-diff.js';

export const MASK = '********';

/** The site with every secret replaced by `fill` characters (same length where the layout depends on it). */
export function maskedSite(site: Site, fill: string): Site {
  const passwords = new Map([...site.secrets.passwords.keys()].map((name) => [name, fill.repeat(20)]));
  return { ...site, secrets: { passwords, vpn: vpnTypeOf(site).maskState(site.secrets.vpn, fill) } };
}

/** What is on disk for one planned path: undefined when absent. */
export interface OldFile {
  bytes: Uint8Array;
  mode: number;
}

const text = (c: string | Uint8Array) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
const lines = (t: string) => (t.endsWith('\n') ? t.slice(0, -1) : t).split('\n');

/** prefix + MASK + suffix, from the two masked renderings of one line. */
function masked(a: string, b: string): string {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return a.slice(0, p) + MASK + a.slice(a.length - s);
}

export interface ServerDiff {
  lines: string[];
  changed: number;
}

/**
 * `old(path)` reads the current file; `removed`: paths on disk the plan no longer has (named,
 * never shown). `dir` labels the paths (`server`).
 */
export function serverDiff(site: Site, opts: PlanServerOptions, old: (path: string) => OldFile | undefined, removed: readonly string[], dir: string): ServerDiff {
  const real = planServer(site, opts);
  const ma = planServer(maskedSite(site, 'A'), opts);
  const mb = planServer(maskedSite(site, 'B'), opts);
  const out: string[] = [];
  let changed = 0;
  real.forEach((f: OutputFile, k) => {
    const now = Buffer.from(typeof f.contents === 'string' ? Buffer.from(f.contents, 'utf8') : f.contents);
    const was = old(f.path);
    const label = `${dir}/${f.path}`;
    if (was && Buffer.from(was.bytes).equals(now)) {
      if (was.mode !== f.mode) {
        out.push(`mode of ${label}: ${was.mode.toString(8).padStart(4, '0')} → ${f.mode.toString(8).padStart(4, '0')}`);
        changed++;
      }
      return;
    }
    changed++;
    const r = lines(text(f.contents));
    const a = lines(text(ma[k]!.contents));
    const b = lines(text(mb[k]!.contents));
    if (a.length !== r.length || b.length !== r.length) {
      // A secret changed the layout (it should not): say the file changes, show nothing of it.
      out.push(`${label} would change (contents not shown: they hold secrets)`);
      return;
    }
    const shown = r.map((line, j) => (a[j] === b[j] ? line : masked(a[j]!, b[j]!)));
    const safe = new Set(r.filter((_, j) => a[j] === b[j]));
    // The shapes of the lines that hold a secret: text before and after it.
    const shapes = a.flatMap((line, j) => (line === b[j] ? [] : [[shown[j]!.slice(0, shown[j]!.indexOf(MASK)), shown[j]!.slice(shown[j]!.indexOf(MASK) + MASK.length)] as const]));
    // A file that holds no secret, now or ever (not marked secret), is shown as it was.
    const open = !f.secret && shapes.length === 0;
    const oldText = (line: string): string => {
      if (open || safe.has(line)) return line;
      const shape = shapes.find(([p, s]) => line.length >= p.length + s.length && line.startsWith(p) && line.endsWith(s));
      return shape ? shape[0] + MASK + shape[1] : MASK;
    };
    const o = was ? lines(Buffer.from(was.bytes).toString('utf8')) : [];
    if (!was) out.push(`${label} would be created (mode ${f.mode.toString(8).padStart(4, '0')})`);
    out.push(...unifiedDiff(o, r, [was ? label : '/dev/null', label], { old: (i) => oldText(o[i]!), new: (j) => shown[j]! }));
  });
  for (const p of removed) {
    out.push(`${dir}/${p} would be removed (this site no longer generates it)`);
    changed++;
  }
  return { lines: out, changed };
}
