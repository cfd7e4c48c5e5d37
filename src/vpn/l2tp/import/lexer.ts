/**
 * The lexer shared by ipsecctl's and npppd's parse.y (both descend from the same pf-style
 * template), reproduced so that import reads a value exactly as the router does:
 * - outside quotes, `\` + newline joins lines and `\` + any other char yields that char (lgetc);
 * - `#` starts a comment outside quotes, to the end of the (joined) line;
 * - quotes are `"` or `'`; inside, `\` escapes the quote char, space, tab or a newline and is
 *   kept literally before anything else; raw newlines are dropped (ipsecctl parse.y 1.184, yylex;
 *   1.158 escapes only the quote char, which differs only for values with blanks, refused anyway);
 * - unquoted words stop at `( ) { } < > ! = / # ,` and an all-digit word is a NUMBER;
 * - `$name` (ipsecctl only) pushes the macro's value back into the input, to be lexed again.
 * Input is a string of bytes (latin1-decoded), as the C code sees it. Pure.
 */

export interface Token {
  kind: 'word' | 'number' | 'char' | 'eol';
  /** Text of a word or number, or the character itself. */
  text: string;
  /** True for a quoted string: never a keyword. */
  quoted: boolean;
  line: number;
}

export interface LexProblem {
  line: number;
  message: string;
}

const START = '\u0000start';
const DONE = '\u0000done';

const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
const isPunct = (c: string) => c.length === 1 && c.charCodeAt(0) > 0x20 && c.charCodeAt(0) < 0x7f && !isAlnum(c);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
const NOT_IN_WORD = new Set(['(', ')', '{', '}', '<', '>', '!', '=', '/', '#', ',']);
const allowedInString = (c: string) => isAlnum(c) || (isPunct(c) && !NOT_IN_WORD.has(c));
const allowedToEndNumber = (c: string) => isSpace(c) || c === ')' || c === ',' || c === '/' || c === '}' || c === '=';

export class Lexer {
  private pos = 0;
  /** Current line, counted exactly where parse.y counts it. */
  line = 1;
  private readonly unget: string[] = [];
  private expanding = false;
  /** The first lexer error; lexing stops there (the rest of the file is not trusted). */
  error: LexProblem | undefined;

  constructor(
    private readonly src: string,
    private readonly macros?: Map<string, string>,
  ) {}

  private igetc(): string {
    for (;;) {
      let c: string;
      if (this.unget.length > 0) c = this.unget.pop()!;
      else if (this.pos < this.src.length) c = this.src[this.pos++]!;
      else return '';
      if (c === START) this.expanding = true;
      else if (c === DONE) this.expanding = false;
      else return c;
    }
  }

  private lungetc(c: string): void {
    if (c !== '') this.unget.push(c);
  }

  private lgetc(inQuotes: boolean): string {
    if (inQuotes) return this.igetc();
    let c = this.igetc();
    while (c === '\\') {
      const next = this.igetc();
      if (next !== '\n') {
        c = next;
        break;
      }
      this.line++;
      c = this.igetc();
      if (c === '' && !this.error) {
        this.error = { line: this.line - 1, message: 'ends with a backslash continuation: the file looks truncated' };
      }
    }
    return c;
  }

  /** The next token, or undefined at the end of input or after an error. */
  next(): Token | undefined {
    if (this.error) return undefined;
    for (;;) {
      let c = this.lgetc(false);
      while (c === ' ' || c === '\t') c = this.lgetc(false);
      const line = this.line;
      if (c === '#') while (c !== '\n' && c !== '') c = this.lgetc(false);
      if (c === '$' && this.macros && !this.expanding) {
        let name = '';
        for (;;) {
          c = this.lgetc(false);
          if (c !== '' && (isAlnum(c) || c === '_')) name += c;
          else break;
        }
        this.lungetc(c);
        const value = this.macros.get(name);
        if (value === undefined) {
          this.error = { line, message: `macro "${name}" is not defined before it is used` };
          return undefined;
        }
        this.unget.push(DONE, ...[...value].reverse(), START);
        continue;
      }
      if (c === '"' || c === "'") return this.quoted(c, line);
      if (c === '-' || isDigit(c)) {
        let text = '';
        do {
          text += c;
          c = this.lgetc(false);
        } while (c !== '' && isDigit(c));
        this.lungetc(c);
        if (text !== '-' && (c === '' || allowedToEndNumber(c))) return { kind: 'number', text, quoted: false, line };
        for (let i = text.length - 1; i >= 1; i--) this.lungetc(text[i]!);
        c = text[0]!;
        if (c === '-') return { kind: 'char', text: c, quoted: false, line };
      }
      if (isAlnum(c) || c === ':' || c === '_' || c === '*') {
        let text = '';
        do {
          text += c;
          c = this.lgetc(false);
        } while (c !== '' && allowedInString(c));
        this.lungetc(c);
        return { kind: 'word', text, quoted: false, line };
      }
      if (c === '\n') {
        this.line++;
        return { kind: 'eol', text: '\n', quoted: false, line };
      }
      if (c === '') return undefined;
      return { kind: 'char', text: c, quoted: false, line };
    }
  }

  private quoted(q: string, line: number): Token | undefined {
    let text = '';
    for (;;) {
      let c = this.lgetc(true);
      if (c === '') {
        this.error = { line, message: `the quoted string opened here (${q}) is not closed before the end of the file: is the file truncated?` };
        return undefined;
      }
      if (c === '\n') {
        this.line++;
        continue;
      } else if (c === '\\') {
        const next = this.lgetc(true);
        if (next === '') {
          this.error = { line, message: `the quoted string opened here (${q}) is not closed before the end of the file: is the file truncated?` };
          return undefined;
        }
        if (next === q || next === ' ' || next === '\t') c = next;
        else if (next === '\n') {
          this.line++;
          continue;
        } else this.lungetc(next);
      } else if (c === q) {
        return { kind: 'word', text, quoted: true, line };
      }
      text += c;
    }
  }

  /** Tokens up to and including the next end of line; empty at the end of input. */
  statement(): Token[] {
    const out: Token[] = [];
    for (;;) {
      const t = this.next();
      if (t === undefined) return out;
      out.push(t);
      if (t.kind === 'eol') return out;
    }
  }
}

/**
 * Checks every router file needs before parsing (openbsd.md "Additions" 10): no CR (not
 * whitespace to these parsers), and a final newline, since getcap never reads a last record
 * without one and a missing one is the usual sign of a truncated copy.
 */
export function checkFraming(text: string): LexProblem | undefined {
  const cr = text.indexOf('\r');
  if (cr >= 0) {
    return { line: lineAt(text, cr), message: 'has a carriage return (Windows line ending), which the router\'s parser does not accept: convert the file with "tr -d \'\\r\'"' };
  }
  if (text.length > 0 && !text.endsWith('\n')) {
    return { line: lineAt(text, text.length - 1), message: 'does not end with a newline: the file looks truncated (if it is complete, add a newline at its end)' };
  }
  return undefined;
}

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') n++;
  return n;
}
