/** What a command gets from the outside world; the only things that touch the terminal. */
import type { OutputFile } from '../plan/output-file.js';
import { MacvpnError } from '../errors.js';
import { stripOneNewline } from '../site/secrets.js';

export interface Stream {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Reads all of standard input. */
  readStdin(): Promise<string>;
  /** Asks a yes/no question; only present when standard input and error are a terminal. */
  confirm?(question: string): Promise<boolean>;
}

export interface Ctx {
  io: CliIo;
  siteDir: string;
  out(line: string): void;
  warn(line: string): void;
}

export function makeCtx(io: CliIo, siteDir: string): Ctx {
  return {
    io,
    siteDir,
    out: (line) => io.stdout.write(line + '\n'),
    warn: (line) => io.stderr.write(`macvpn: warning: ${line}\n`),
  };
}

/** Reads one secret value from stdin, stripping one trailing newline (DESIGN.md §3). */
export async function readStdinValue(ctx: Ctx, what: string): Promise<string> {
  const value = stripOneNewline(await ctx.io.readStdin());
  if (value.length === 0) throw new MacvpnError(`no ${what} on standard input`, [`pipe it in, e.g. printf '%s\\n' "$VALUE" | macvpn …`]);
  return value;
}

/** mkcert-style summary of what was written, marking the files that hold secrets. */
export function printWritten(ctx: Ctx, files: readonly OutputFile[]): void {
  const width = Math.max(...files.map((f) => f.path.length), 0);
  for (const f of files) {
    const mode = f.mode.toString(8).padStart(4, '0');
    ctx.out(`  ${f.path.padEnd(width)}  ${mode}${f.secret ? '  (secret)' : ''}`);
  }
}
