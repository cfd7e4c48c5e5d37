/**
 * The router's files → what a macvpn site needs: PSK, users with passwords and fixed addresses,
 * pool and DNS, each checked against the site's rules and reported as `file:line: problem`.
 * Nothing is invented: what cannot be read exactly is a problem. Pure.
 */
import { choosePsk, parseIpsecConf } from './ipsec-conf.js';
import type { LexProblem } from './lexer.js';
import { parseNpppdConf } from './npppd-conf.js';
import { parseNpppdUsers, type ImportedUser } from './npppd-users.js';
import { checkDnsServer, checkListen, checkPassword, checkPsk, checkUserName, parsePool } from '../../../site/rules.js';
import { checkUserIp } from '../../../site/parse-site.js';
import type { Pool } from '../../../site/types.js';

/** One input file: the name to show in messages and its bytes as a latin1 string. */
export interface RouterFile {
  name: string;
  text: string;
}

export interface RouterFiles {
  ipsecConf: RouterFile;
  npppdUsers: RouterFile;
  npppdConf?: RouterFile;
}

export interface RouterSite {
  psk: string;
  /** `egress` or an address, from the ike rule's `from`, when it is one. */
  listen?: string;
  pool?: Pool;
  dns?: string[];
  users: Array<{ name: string; ip?: string }>;
  passwords: Map<string, string>;
}

export type ReadRouterResult =
  | { ok: true; site: RouterSite; notes: string[] }
  | { ok: false; problems: string[]; notes: string[] };

const at = (file: string, p: LexProblem) => (p.line > 0 ? `${file}:${p.line}: ${p.message}` : `${file}: ${p.message}`);

export function readRouterFiles(files: RouterFiles): ReadRouterResult {
  const problems: string[] = [];
  const notes: string[] = [];
  const { ipsecConf, npppdUsers, npppdConf } = files;

  const choice = choosePsk(parseIpsecConf(ipsecConf.text));
  problems.push(...choice.problems.map((p) => at(ipsecConf.name, p)));
  notes.push(...choice.notes.map((p) => at(ipsecConf.name, p)));
  if (choice.psk !== undefined && choice.problems.length === 0) {
    const msg = checkPsk(choice.psk);
    if (msg) problems.push(at(ipsecConf.name, { line: choice.line ?? 0, message: `the psk ${msg}` }));
  }
  let listen: string | undefined;
  if (choice.from !== undefined) {
    if (checkListen(choice.from) === undefined) listen = choice.from;
    else notes.push(`${ipsecConf.name}: the ike rule's "from ${choice.from}" is not an address or "egress"; the site listens on egress (set listen in macvpn.yaml)`);
  }

  let pool: Pool | undefined;
  let dns: string[] | undefined;
  if (npppdConf) {
    const conf = parseNpppdConf(npppdConf.text);
    problems.push(...conf.problems.map((p) => at(npppdConf.name, p)));
    notes.push(...conf.notes.map((p) => at(npppdConf.name, p)));
    if (conf.pool !== undefined) {
      const parsed = parsePool(conf.pool);
      if (typeof parsed === 'string') problems.push(at(npppdConf.name, { line: conf.poolLine ?? 0, message: `pool-address: ${parsed}` }));
      else pool = parsed;
    }
    if (conf.dns !== undefined) {
      const bad = conf.dns.map(checkDnsServer).filter((m): m is string => m !== undefined);
      for (const m of bad) problems.push(at(npppdConf.name, { line: conf.dnsLine ?? 0, message: `dns-servers: ${m}` }));
      if (conf.dns.length > 2) problems.push(at(npppdConf.name, { line: conf.dnsLine ?? 0, message: `dns-servers lists ${conf.dns.length} addresses (npppd takes at most 2)` }));
      if (bad.length === 0) dns = conf.dns;
    }
  }

  const parsedUsers = parseNpppdUsers(npppdUsers.text);
  problems.push(...parsedUsers.problems.map((p) => at(npppdUsers.name, p)));
  notes.push(...parsedUsers.notes.map((p) => at(npppdUsers.name, p)));
  problems.push(...checkUsers(parsedUsers.users, pool, npppdUsers.name));

  if (problems.length > 0 || choice.psk === undefined) return { ok: false, problems, notes };
  const passwords = new Map(parsedUsers.users.map((u) => [u.name, u.password]));
  const users = parsedUsers.users.map((u) => ({ name: u.name, ...(u.ip !== undefined && { ip: u.ip }) }));
  return { ok: true, site: { psk: choice.psk, listen, pool, dns, users, passwords }, notes };
}

/** Each user against the site's rules, naming the line; `pool` defaults to macvpn's 10.0.0.0/24. */
function checkUsers(users: ImportedUser[], pool: Pool | undefined, file: string): string[] {
  const problems: string[] = [];
  const thePool = pool ?? (parsePool('10.0.0.0/24') as Pool);
  const ips = new Map<string, string>();
  for (const u of users) {
    const nameMsg = checkUserName(u.name);
    if (nameMsg) problems.push(at(file, { line: u.line, message: `user name "${u.name}" ${nameMsg}` }));
    const pwMsg = checkPassword(u.password);
    if (pwMsg) problems.push(at(file, { line: u.passwordLine, message: `the password of "${u.name}" ${pwMsg}` }));
    if (u.ip !== undefined) {
      const ipMsg = checkUserIp(u.ip, thePool);
      if (ipMsg) problems.push(at(file, { line: u.line, message: `framed-ip-address of "${u.name}": ${ipMsg}${pool ? '' : ' (pass --npppd-conf to import the pool)'}` }));
      const other = ips.get(u.ip);
      if (other !== undefined) problems.push(at(file, { line: u.line, message: `framed-ip-address ${u.ip} of "${u.name}" is also given to "${other}"` }));
      else ips.set(u.ip, u.name);
    }
  }
  return problems;
}
