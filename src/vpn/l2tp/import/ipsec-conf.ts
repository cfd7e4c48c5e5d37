/**
 * /etc/ipsec.conf → the pre-shared key of the L2TP rule, read as ipsecctl reads it
 * (sbin/ipsecctl/parse.y: lexer in ./lexer.ts, `name = string…` macros, `ike … psk STRING`).
 * Pure. Never puts a secret into a message: lengths, positions and line numbers only.
 */
import { checkFraming, Lexer, type LexProblem, type Token } from './lexer.js';

/** ipsecctl's keywords (parse.y lookup table): unquoted, these are never a STRING. */
const KEYWORDS = new Set([
  'acquire', 'active', 'aggressive', 'ah', 'any', 'auth', 'authkey', 'bypass', 'comp', 'deny', 'dontacq', 'dstid',
  'dynamic', 'enc', 'enckey', 'esp', 'file', 'flow', 'from', 'group', 'ike', 'in', 'include', 'interface', 'ipcomp',
  'ipip', 'lifetime', 'local', 'main', 'out', 'passive', 'peer', 'port', 'proto', 'psk', 'quick', 'require', 'rsa',
  'spi', 'srcid', 'srcnat', 'tag', 'tcpmd5', 'to', 'transport', 'tunnel', 'type', 'use',
]);

const isKeyword = (t: Token | undefined, k?: string) => t?.kind === 'word' && !t.quoted && KEYWORDS.has(t.text) && (k === undefined || t.text === k);
const isString = (t: Token | undefined): t is Token => t?.kind === 'word' && (t.quoted || !KEYWORDS.has(t.text));

export interface IkeRule {
  line: number;
  psk?: string;
  /** Line of the psk value (where `psk` or the macro holding it is written). */
  pskLine?: number;
  /** The `from` host when it is a single word (an address, `egress`, an interface). */
  from?: string;
  /** The `peer` host when given: such a rule is for one peer, not road-warrior clients. */
  peer?: string;
  /** `main … group G` when given. */
  mainGroup?: string;
}

export interface IpsecConfResult {
  rules: IkeRule[];
  problems: LexProblem[];
}

/** Every `ike` rule, with macros expanded; statements that are not ike rules or macros are skipped. */
export function parseIpsecConf(text: string): IpsecConfResult {
  const problems: LexProblem[] = [];
  const framing = checkFraming(text);
  if (framing) return { rules: [], problems: [framing] };
  const macros = new Map<string, string>();
  const lexer = new Lexer(text, macros);
  const rules: IkeRule[] = [];
  for (;;) {
    const st = lexer.statement();
    if (st.length === 0 || lexer.error) break;
    const toks = st.filter((t) => t.kind !== 'eol');
    if (toks.length === 0) continue;
    const first = toks[0]!;
    if (isString(first) && toks[1]?.kind === 'char' && toks[1].text === '=') {
      const value = toks.slice(2);
      const bad = value.find((t) => !isString(t));
      if (value.length === 0 || bad) {
        problems.push({ line: (bad ?? first).line, message: `syntax error in the macro definition of "${first.text}" (quote its value)` });
      } else {
        // varset: STRING '=' string, where `string` joins several STRINGs with one space.
        macros.set(first.text, value.map((t) => t.text).join(' '));
      }
    } else if (isKeyword(first, 'include')) {
      problems.push({ line: first.line, message: '"include" is not supported by macvpn import: pass the file that holds the ike rule' });
    } else if (isKeyword(first, 'ike')) {
      const rule = readIkeRule(toks, problems);
      if (rule) rules.push(rule);
    }
    if (st[st.length - 1]?.kind !== 'eol') break;
  }
  if (lexer.error) problems.push(lexer.error);
  return { rules, problems };
}

function readIkeRule(toks: Token[], problems: LexProblem[]): IkeRule | undefined {
  const rule: IkeRule = { line: toks[0]!.line };
  let inMain = false;
  for (let i = 1; i < toks.length; i++) {
    const t = toks[i]!;
    const next = toks[i + 1];
    if (t.kind === 'char' && !'{},()/'.includes(t.text)) {
      problems.push({ line: t.line, message: `syntax error in the ike rule: unexpected ${JSON.stringify(t.text)}` });
      return undefined;
    }
    if (!isKeyword(t)) continue;
    if (t.text === 'main' || t.text === 'aggressive') inMain = true;
    else if (t.text === 'quick' || t.text === 'psk' || t.text === 'srcid' || t.text === 'dstid') inMain = false;
    if (t.text === 'group' && inMain && isString(next)) rule.mainGroup = next.text;
    if (t.text === 'from' && isString(next) && !(toks[i + 2]?.kind === 'char' && '/('.includes(toks[i + 2]!.text))) rule.from = next.text;
    if (t.text === 'peer' && next !== undefined && next.kind === 'word') rule.peer = next.text;
    if (t.text === 'psk') {
      if (rule.psk !== undefined) {
        problems.push({ line: t.line, message: 'syntax error: the ike rule has "psk" twice' });
        return undefined;
      }
      if (next?.kind === 'number') {
        problems.push({ line: next.line, message: 'the psk is all digits and unquoted, which ipsecctl rejects as a syntax error (quote it)' });
        return undefined;
      }
      if (!isString(next)) {
        problems.push({ line: t.line, message: 'syntax error: "psk" is not followed by a key' });
        return undefined;
      }
      rule.psk = next.text;
      rule.pskLine = next.line;
      i++;
    }
  }
  return rule;
}

export interface PskChoice {
  psk?: string;
  line?: number;
  /** The local address for macvpn's `listen`, when the rule names one. */
  from?: string;
  problems: LexProblem[];
  /** Things import leaves behind, for the user to know. */
  notes: LexProblem[];
}

/**
 * Picks the PSK road-warrior clients use: rules without a specific `peer` share isakmpd's default
 * peer ([Phase 1]:Default, ipsecctl ike.c), so they must agree; rules for one peer are skipped.
 */
export function choosePsk(result: IpsecConfResult): PskChoice {
  const problems = [...result.problems];
  const notes: LexProblem[] = [];
  if (problems.length > 0) return { problems, notes };
  if (result.rules.length === 0) {
    return { problems: [{ line: 0, message: 'has no ike rule: macvpn imports an L2TP/IPsec server whose ipsec.conf holds an "ike … psk …" rule' }], notes };
  }
  const withPsk = result.rules.filter((r) => r.psk !== undefined);
  if (withPsk.length === 0) {
    return { problems: result.rules.map((r) => ({ line: r.line, message: 'the ike rule has no psk (certificate authentication); macvpn needs a pre-shared key' })), notes };
  }
  const defaults = withPsk.filter((r) => r.peer === undefined || r.peer === 'any');
  for (const r of withPsk) if (!defaults.includes(r)) notes.push({ line: r.line, message: `the ike rule for peer ${r.peer} is not used by road-warrior clients and is not imported` });
  if (defaults.length === 0) {
    return { problems: [{ line: withPsk[0]!.line, message: 'every ike rule with a psk names a peer; L2TP clients need a rule without "peer"' }], notes };
  }
  const first = defaults[0]!;
  for (const r of defaults.slice(1)) {
    if (r.psk !== first.psk) {
      problems.push({
        line: r.pskLine ?? r.line,
        message: `this ike rule's psk differs from the one on line ${first.pskLine ?? first.line} (clients share isakmpd's default peer, so only one key can work: ipsecctl warns "default peer psk mismatch")`,
      });
    }
  }
  if (problems.length > 0) return { problems, notes };
  const psk = first.psk!;
  const line = first.pskLine ?? first.line;
  const pskProblem = checkImportedPsk(psk);
  if (pskProblem) problems.push({ line, message: pskProblem });
  if (first.mainGroup === 'modp1024' || first.mainGroup === 'grp2') {
    notes.push({ line: first.line, message: 'the ike rule uses main group modp1024; macvpn\'s rule offers modp2048 (what current Macs try first); set "compat: legacy" in macvpn.yaml for pre-2019 clients' });
  }
  return { psk, line, from: first.from, problems, notes };
}

/**
 * Why an imported key cannot be carried over, or undefined. isakmpd decodes a `0x` key as hex
 * while a Mac sends the text (openbsd.md §1), and reads the key with sscanf("%200s"), so a blank
 * ends it; the remaining limits are the site's (rules.ts checkPsk).
 */
function checkImportedPsk(psk: string): string | undefined {
  if (/^0x/i.test(psk)) {
    return `the psk starts with "0x", so isakmpd uses it as a hex key (${Math.floor((psk.length - 2) / 2)} bytes) while a Mac sends the text itself: macvpn cannot carry it over (change the key on the router to plain text first)`;
  }
  const blank = psk.search(/[ \t\n]/);
  if (blank >= 0) return `the psk has a blank at position ${blank + 1}; isakmpd reads the key only up to it (sscanf "%200s"), so the key in the file is not the key in use`;
  return undefined;
}
