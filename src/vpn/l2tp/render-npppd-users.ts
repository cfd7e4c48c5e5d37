/**
 * /etc/npppd/npppd-users: one getcap(3) record per user (npppd-users(5), openbsd.md §3).
 *
 *   alice:\
 *   	:password=secret:\
 *   	:framed-ip-address=10.0.0.50:
 *
 * Backslash-newline joins lines; the record name ends at the first `:`; each value ends at a raw
 * `:` and is decoded by cgetstr, so passwords go through escapeGetcapValue. The last record, like
 * every record, ends with a newline (getcap never reads a last record without one, "Additions" 10).
 */
import type { Site } from '../../site/types.js';
import { parseIpv4 } from '../../site/ipv4.js';
import type { OpenbsdRelease } from '../../openbsd/versions.js';
import { headerLines, joinLines } from '../../openbsd/header.js';
import { checkGetcapName, escapeGetcapValue } from '../../openbsd/quote.js';
import { MacvpnError } from '../../errors.js';

function record(name: string, password: string, ip: string | undefined): string[] {
  // framed-ip-address is parsed with inet_pton: dotted IPv4 only, or the whole entry fails (§3).
  if (ip !== undefined && parseIpv4(ip) === undefined) throw new MacvpnError(`users ${name}: ip ${JSON.stringify(ip)} is not an IPv4 address`);
  const fields = [`:password=${escapeGetcapValue(password)}:`, ...(ip !== undefined ? [`:framed-ip-address=${ip}:`] : [])];
  return [`${checkGetcapName(name)}:\\`, ...fields.map((f, i) => `\t${f}${i < fields.length - 1 ? '\\' : ''}`)];
}

export function renderNpppdUsers(site: Site, release: OpenbsdRelease): string {
  const lines = [
    ...headerLines('npppd-users', site, release.version),
    '# Holds passwords: mode 0600 root:wheel. If /etc/npppd/npppd-users.db exists, npppd reads it',
    '# instead of this file (getcap): install.sh warns about it.',
  ];
  // A disabled user (macvpn user disable) keeps the password in secrets/ but has no entry here:
  // npppd reads this file at every login, so the next login fails (README "Deploying").
  for (const user of site.users) {
    if (user.disabled) continue;
    const password = site.secrets.passwords.get(user.name);
    if (password === undefined) throw new MacvpnError(`user "${user.name}" has no password`);
    lines.push('', ...record(user.name, password, user.ip));
  }
  return joinLines(lines);
}
