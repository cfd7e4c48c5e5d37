/**
 * A progress bar for long runs (issue 12): on a terminal (stderr is a TTY) and only once a run
 * has taken about a second, one line redrawn in place with the count, the rate and the time
 * left; nothing on a pipe or with --quiet. `finish` clears the bar and prints one summary line.
 */
import type { Ctx } from './context.js';

/** Show nothing for runs shorter than this. */
const DELAY_MS = 1000;
const REDRAW_MS = 100;
const WIDTH = 24;

export interface Progress {
  update(done: number): void;
  /** Clears the bar; prints `summary` (with the elapsed time) when the bar was shown. */
  finish(summary: (seconds: number) => string): void;
}

export function progressBar(ctx: Ctx, total: number, what: string, opts: { quiet?: boolean; now?: () => number } = {}): Progress {
  const now = opts.now ?? (() => performance.now());
  const start = now();
  const err = ctx.io.stderr;
  const live = err.isTTY === true && opts.quiet !== true && ctx.io.env.TERM !== 'dumb';
  let shown = false;
  let last = 0;
  return {
    update(done) {
      if (!live) return;
      const t = now();
      if (t - start < DELAY_MS || (t - last < REDRAW_MS && done < total)) return;
      last = t;
      shown = true;
      const rate = done / ((t - start) / 1000);
      const left = rate > 0 ? Math.ceil((total - done) / rate) : 0;
      const fill = total === 0 ? WIDTH : Math.round((done / total) * WIDTH);
      err.write(`\r[${'#'.repeat(fill)}${'-'.repeat(WIDTH - fill)}] ${done}/${total} ${what}  ${Math.round(rate)}/s  ${left}s left\x1b[K`);
    },
    finish(summary) {
      if (!shown) return;
      err.write(`\r\x1b[K${summary((now() - start) / 1000)}\n`);
    },
  };
}
