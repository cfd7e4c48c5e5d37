/**
 * /etc/npppd/npppd.conf → the address pool and DNS servers of the L2TP clients' ipcp section
 * (usr.sbin/npppd/npppd/parse.y: `ipcp NAME { pool-address A-B | "A/len" [for dynamic|static];
 * dns-servers IP [IP] }`, `interface IF address IP ipcp NAME`, `tunnel T protocol l2tp`,
 * `bind tunnel from T authenticated by A to IF`; openbsd.md §2). Pure.
 */
import { checkFraming, Lexer, type LexProblem, type Token } from './lexer.js';
import { formatIpv4, lastAddress, networkOf, parseIpv4 } from '../../../site/ipv4.js';

export interface NpppdConfResult {
  /** Canonical CIDR of the pool, when one was found. */
  pool?: string;
  poolLine?: number;
  dns?: string[];
  dnsLine?: number;
  problems: LexProblem[];
  notes: LexProblem[];
}

interface Ipcp {
  name: string;
  line: number;
  pools: Token[][];
  dns: Token[][];
}

const word = (t: Token | undefined, text: string) => t?.kind === 'word' && !t.quoted && t.text === text;

/**
 * The smallest subnet holding the range, when the range is that subnet's client addresses:
 * from at most network+2 (network+1 is the server's own address in macvpn's layout) to at least
 * broadcast-1. Anything narrower would be widened, which import refuses to do silently.
 */
export function rangeToCidr(first: number, last: number): string | undefined {
  if (last < first) return undefined;
  for (let prefix = 30; prefix >= 8; prefix--) {
    const network = networkOf(first, prefix);
    const broadcast = lastAddress(network, prefix);
    if (last > broadcast) continue;
    if (first <= network + 2 && last >= broadcast - 1) return `${formatIpv4(network)}/${prefix}`;
    return undefined;
  }
  return undefined;
}

/** The subnet whose client range the ranges of several pool-address lines cover exactly. */
function readSplitPool(ipcp: Ipcp, problems: LexProblem[]): string | undefined {
  const ranges: Array<[number, number]> = [];
  for (const tokens of ipcp.pools) {
    const v = tokens[0];
    const m = v?.kind === 'word' ? /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)$/.exec(v.text) : null;
    const rest = tokens.slice(1).map((t) => t.text).join(' ');
    const a = m ? parseIpv4(m[1]!) : undefined;
    const b = m ? parseIpv4(m[2]!) : undefined;
    if (a === undefined || b === undefined || b < a || !['', 'for dynamic', 'for static'].includes(rest)) {
      problems.push({ line: v?.line ?? ipcp.line, message: `pool-address ${v?.text ?? ''} ${rest}`.trim() + ': with several pool-address lines macvpn reads only ranges A-B, optionally "for dynamic" or "for static"' });
      return undefined;
    }
    ranges.push([a, b]);
  }
  ranges.sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]![0] !== ranges[i - 1]![1] + 1) {
      problems.push({ line: ipcp.pools[1]![0]?.line ?? ipcp.line, message: `ipcp ${ipcp.name}'s pool-address lines leave a gap or overlap at ${formatIpv4(ranges[i]![0])}; macvpn pools are one whole subnet` });
      return undefined;
    }
  }
  const cidr = rangeToCidr(ranges[0]![0], ranges.at(-1)![1]);
  if (cidr === undefined) problems.push({ line: ipcp.pools[0]![0]?.line ?? ipcp.line, message: `ipcp ${ipcp.name}'s pool-address lines are not the client range of one subnet; macvpn pools are whole subnets` });
  return cidr;
}

function readPool(tokens: Token[], problems: LexProblem[]): string | undefined {
  const [v, ...rest] = tokens;
  const line = v?.line ?? 0;
  if (v !== undefined && rest[0]?.kind === 'char' && rest[0].text === '/') {
    problems.push({ line, message: 'pool-address in CIDR form must be quoted ("10.0.0.0/24"): npppd\'s lexer ends a word at "/", so the router reports a syntax error' });
    return undefined;
  }
  if (v === undefined || v.kind !== 'word') {
    problems.push({ line, message: 'pool-address has no value' });
    return undefined;
  }
  const range = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)$/.exec(v.text);
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(v.text);
  if (range) {
    const a = parseIpv4(range[1]!);
    const b = parseIpv4(range[2]!);
    const c = a !== undefined && b !== undefined ? rangeToCidr(a, b) : undefined;
    if (c === undefined) {
      problems.push({ line, message: `pool-address ${v.text} is not the client range of one subnet (like 10.0.0.2-10.0.0.254 for 10.0.0.0/24); macvpn pools are whole subnets` });
    }
    return c;
  }
  if (cidr) {
    const ip = parseIpv4(cidr[1]!);
    const prefix = Number(cidr[2]);
    if (ip === undefined || prefix > 32) {
      problems.push({ line, message: `pool-address ${v.text} is not an IPv4 subnet` });
      return undefined;
    }
    return `${formatIpv4(networkOf(ip, prefix))}/${prefix}`;
  }
  problems.push({ line, message: `pool-address ${JSON.stringify(v.text)} is neither a range A-B nor a subnet "A/len"` });
  return undefined;
}

export function parseNpppdConf(text: string): NpppdConfResult {
  const problems: LexProblem[] = [];
  const notes: LexProblem[] = [];
  const framing = checkFraming(text);
  if (framing) return { problems: [framing], notes };
  const lexer = new Lexer(text);
  const ipcps: Ipcp[] = [];
  const ifaceIpcp = new Map<string, string>();
  const l2tpTunnels = new Set<string>();
  const boundIfaces: string[] = [];
  let current: Ipcp | undefined;
  let depth = 0;
  for (;;) {
    const st = lexer.statement();
    if (st.length === 0) break;
    const t = st.filter((x) => x.kind !== 'eol');
    for (const x of t) if (x.kind === 'char' && x.text === '}') depth--;
    if (depth <= 0) current = undefined;
    if (t.length > 0) {
      if (word(t[0], 'ipcp') && t[1]?.kind === 'word') {
        current = { name: t[1].text, line: t[0]!.line, pools: [], dns: [] };
        ipcps.push(current);
      } else if (current && word(t[0], 'pool-address')) {
        current.pools.push(t.slice(1));
      } else if (current && word(t[0], 'dns-servers')) {
        current.dns.push(t.slice(1));
      } else if (word(t[0], 'interface') && t[1] && word(t[2], 'address') && word(t[4], 'ipcp') && t[5]) {
        ifaceIpcp.set(t[1].text, t[5].text);
      } else if (word(t[0], 'tunnel') && t[1] && word(t[2], 'protocol') && word(t[3], 'l2tp')) {
        l2tpTunnels.add(t[1].text);
      } else if (word(t[0], 'bind') && word(t[1], 'tunnel') && word(t[2], 'from') && t[3] && l2tpTunnels.has(t[3].text)) {
        const to = t.findIndex((x) => word(x, 'to'));
        if (to > 0 && t[to + 1]) boundIfaces.push(t[to + 1]!.text);
      }
    }
    for (const x of t) if (x.kind === 'char' && x.text === '{') depth++;
    if (st[st.length - 1]?.kind !== 'eol') break;
  }
  if (lexer.error) return { problems: [lexer.error], notes };

  // The ipcp section of the interface an L2TP tunnel is bound to; else the only one there is.
  const bound = boundIfaces.map((i) => ifaceIpcp.get(i)).filter((n): n is string => n !== undefined);
  const names = [...new Set(bound)];
  let ipcp: Ipcp | undefined;
  if (names.length === 1) ipcp = ipcps.find((i) => i.name === names[0]);
  else if (names.length === 0 && ipcps.length === 1) ipcp = ipcps[0];
  if (ipcp === undefined) {
    const message = ipcps.length === 0
      ? 'has no ipcp section, so there is no pool to import'
      : `has ${names.length > 1 ? 'L2TP tunnels bound to several ipcp sections' : 'several ipcp sections and none is bound to an L2TP tunnel'}; macvpn uses one pool`;
    return { problems: [{ line: ipcps[1]?.line ?? 0, message }], notes };
  }
  const result: NpppdConfResult = { problems, notes };
  if (ipcp.pools.length === 0) problems.push({ line: ipcp.line, message: `ipcp ${ipcp.name} has no pool-address` });
  else if (ipcp.pools.length > 1) {
    // Several lines: macvpn's own layout (the client range split around fixed addresses, each
    // `for static`) or any set of ranges that together are one subnet's client range.
    result.pool = readSplitPool(ipcp, problems);
    result.poolLine = ipcp.pools[0]![0]?.line;
  } else {
    result.pool = readPool(ipcp.pools[0]!, problems);
    result.poolLine = ipcp.pools[0]![0]?.line;
  }
  if (ipcp.dns.length > 1) problems.push({ line: ipcp.dns[1]![0]?.line ?? ipcp.line, message: `ipcp ${ipcp.name} has dns-servers twice` });
  else if (ipcp.dns.length === 1) {
    const values = ipcp.dns[0]!;
    const line = values[0]?.line ?? ipcp.line;
    if (values.length === 1 && word(values[0], 'resolver')) {
      problems.push({ line, message: 'dns-servers resolver (the router\'s resolv.conf) cannot be imported: macvpn needs the addresses; write them in npppd.conf or leave --npppd-conf out and set dns in macvpn.yaml' });
    } else {
      result.dns = values.map((v) => v.text);
      result.dnsLine = line;
    }
  } else {
    notes.push({ line: ipcp.line, message: `ipcp ${ipcp.name} hands out no DNS servers` });
  }
  return result;
}
