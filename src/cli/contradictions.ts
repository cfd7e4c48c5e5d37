/**
 * Options that contradict each other (`--ip X --no-ip`): commander keeps whichever came last, so
 * the command would silently do half of what was asked. Refused as a usage error (exit 2) while
 * the command line is parsed, before anything is read (issue 10, item 6).
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

export function refuseContradictions(cmd: Command, pairs: readonly (readonly [string, string])[]): Command {
  const seen = new Set<string>();
  for (const [a, b] of pairs) {
    for (const [name, other] of [[a, b], [b, a]] as const) {
      cmd.on(`option:${name}`, () => {
        seen.add(name);
        if (seen.has(other)) throw new UsageError(`--${a} and --${b} contradict each other: give one of them`);
      });
    }
  }
  return cmd;
}
