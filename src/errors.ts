/**
 * The error grammar (DESIGN.md §3, STYLE.md §2.5), written down once:
 *   macvpn: error: <what, naming file and field>     lowercase start, no final period
 *   macvpn: hint: <how to fix it>                     zero or more
 * Messages never contain a secret's value: lengths, positions and field names only.
 * MacvpnError is the only error shown as-is; anything else is an internal error.
 */
import type { Problem } from './site/types.js';

export class MacvpnError extends Error {
  readonly hints: string[];
  readonly exitCode: number;
  /** Extra error lines (one per problem) after the first. */
  readonly more: string[];

  constructor(message: string | string[], hints: string[] = [], exitCode = 1) {
    const lines = Array.isArray(message) ? message : [message];
    super(lines[0] ?? 'unknown error');
    this.more = lines.slice(1);
    this.hints = hints;
    this.exitCode = exitCode;
  }
}

/** Ends a command with this exit code and nothing more to say (`server --diff`: 1 = something would change, like diff(1)). */
export class ExitStatus extends Error {
  constructor(readonly exitCode: number) {
    super(`exit status ${exitCode}`);
  }
}

/** A usage error: exit 2. */
export class UsageError extends MacvpnError {
  constructor(message: string, hints: string[] = []) {
    super(message, hints, 2);
  }
}

/** One line per problem: `file:line: path message`. */
export function formatProblem(file: string, p: Problem): string {
  const where = p.line !== undefined ? `${file}:${p.line}` : file;
  const path = p.path ? `${p.path} ` : '';
  return `${where}: ${path}${p.message}`;
}

export function problemsError(file: string, problems: Problem[], hints: string[] = []): MacvpnError {
  return new MacvpnError(problems.map((p) => formatProblem(file, p)), hints);
}

/**
 * One terminal line: a newline inside a message (a library's text) would start a line without the
 * prefix, and control or bidirectional-override characters from a file name or a hostile value
 * could rewrite what the terminal shows; both are shown escaped.
 */
function oneLine(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function formatError(err: unknown, debug: boolean): string {
  if (err instanceof MacvpnError) {
    const lines = [err.message, ...err.more].map((m) => `macvpn: error: ${oneLine(m)}`);
    lines.push(...err.hints.map((h) => `macvpn: hint: ${oneLine(h)}`));
    if (debug && err.stack) lines.push(err.stack);
    return lines.join('\n') + '\n';
  }
  const message = err instanceof Error ? err.message : String(err);
  const lines = [`macvpn: internal error: ${oneLine(message.split('\n')[0]!)}`, 'macvpn: hint: this is a bug; please report it with MACVPN_DEBUG=1 output'];
  if (debug && err instanceof Error && err.stack) lines.push(err.stack);
  return lines.join('\n') + '\n';
}
