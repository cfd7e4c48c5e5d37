/**
 * The file of `macvpn user add --from FILE` (issue 12): one user name a line, or CSV lines
 * `name,email,ip` (email and ip may be empty), with an optional header line `name,email,ip`.
 * Blank lines and lines starting with `#` are skipped. Every line is checked against the site and
 * the lines before it, and every problem is reported with its line number, so one run lists them
 * all; the caller adds nothing when there is any.
 */
import type { Settings, User } from './types.js';
import { checkEmail, checkUserName } from './rules.js';
import { checkUserIp } from './parse-site.js';
import { vpnTypeOf } from '../vpn/index.js';

export interface ListProblem {
  line: number;
  message: string;
}

const HEADER = /^\s*name\s*(,\s*email\s*(,\s*ip\s*)?)?$/i;

export function parseUserList(text: string, site: Settings): { users: User[]; problems: ListProblem[] } {
  const users: User[] = [];
  const problems: ListProblem[] = [];
  const names = new Map(site.users.map((u) => [u.name.toLowerCase(), { name: u.name, where: 'in the site' }]));
  const ips = new Map<string, string>(site.users.flatMap((u) => (u.ip ? [[u.ip, `user "${u.name}"`] as [string, string]] : [])));
  const type = vpnTypeOf(site);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let first = true;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const text_ = raw.replace(/\r$/, '');
    if (text_.trim() === '' || text_.trimStart().startsWith('#')) return;
    if (first && text_.includes(',') && HEADER.test(text_)) return void (first = false);
    first = false;
    const bad = (message: string) => problems.push({ line, message });
    const fields = text_.split(',').map((f) => f.trim());
    if (fields.length > 3) return bad(`has ${fields.length} fields (expected name,email,ip)`);
    const [name = '', email = '', ip = ''] = fields;
    let ok = true;
    const nameMsg = checkUserName(name) ?? type.checkUserName(site, name);
    if (nameMsg) {
      bad(`user name ${JSON.stringify(name)} ${nameMsg}`);
      ok = false;
    } else {
      const prior = names.get(name.toLowerCase());
      if (prior) {
        bad(`user "${name}" ${prior.where === 'in the site' ? `already exists${prior.name === name ? '' : ` as "${prior.name}"`}` : `is also on ${prior.where} (names are compared ignoring case)`}`);
        ok = false;
      } else names.set(name.toLowerCase(), { name, where: `line ${line}` });
    }
    if (email !== '') {
      const msg = checkEmail(email);
      if (msg) {
        bad(`email ${msg}`);
        ok = false;
      }
    }
    if (ip !== '') {
      const msg = checkUserIp(ip, site.pool);
      const taken = ips.get(ip);
      if (msg) bad(`ip ${msg}`);
      else if (taken) bad(`ip ${ip} is already given to ${taken}`);
      else ips.set(ip, `the user on line ${line}`);
      if (msg || taken) ok = false;
    }
    if (ok) users.push({ name, ...(ip !== '' && { ip }), ...(email !== '' && { email }) });
  });
  if (users.length === 0 && problems.length === 0) problems.push({ line: 0, message: 'lists no users' });
  return { users, problems };
}
