/**
 * /etc/iked.conf: one passive road-warrior policy (iked.md §1): the pool and DNS handed out with
 * `config`, the pinned suite of suites.ts in both `ikesa` and `childsa`, the server's identity as
 * `srcid`, EAP users when the site uses EAP, and a tag for pf. Keywords follow parse.y's fixed
 * order (ikev2rule): mode, from/to, local/peer, ikesa, childsa, srcid, auth, config, tag.
 */
import type { Site } from '../../site/types.js';
import type { OpenbsdRelease } from '../../openbsd/versions.js';
import { headerLines, joinLines } from '../../openbsd/header.js';
import { unquotable } from '../../openbsd/quote.js';
import { MacvpnError } from '../../errors.js';
import { ikev2Settings } from './settings.js';
import { SUITES } from './suites.js';

/** The pf tag on the policy's traffic (iked.conf.5 "tag"; pf rules in pf-rules.ts). */
export const PF_TAG = 'MACVPN';
/** The policy's name in `ikectl show sa` and the logs. */
export const POLICY_NAME = 'macvpn';

/**
 * A double-quoted iked.conf string. parse.y's lexer ends a quoted string at `"` and treats `\`
 * as an escape, and `$name` is not expanded inside quotes (iked.conf.5 MACROS): so `"`, `\`,
 * control and non-ASCII characters are refused rather than escaped.
 */
export function quoteIkedString(value: string, what: string): string {
  if (value.length === 0) throw new MacvpnError(`${what} is empty`);
  const at = unquotable(value, true);
  if (at !== undefined) throw new MacvpnError(`${what} contains a character iked.conf cannot quote at position ${at}`);
  return `"${value}"`;
}

/** An iked.conf string check for what may become one (EAP passwords), as a message. */
export function ikedStringProblem(value: string): string | undefined {
  const at = unquotable(value, true);
  if (at === undefined) return undefined;
  const c = value[at - 1];
  return `contains ${c === '"' ? 'a double quote' : c === '\\' ? 'a backslash' : 'a character'} at position ${at}, which iked.conf cannot hold`;
}

/** `local`: `egress` (an interface group iked resolves) or the literal address the site names. */
function localAddress(listen: string): string {
  if (listen !== 'egress' && !/^[0-9A-Fa-f.:]+$/.test(listen)) throw new MacvpnError(`listen ${JSON.stringify(listen)} is not "egress" or an address`);
  return listen;
}

export function renderIkedConf(site: Site, release: OpenbsdRelease): string {
  const v = ikev2Settings(site);
  const suite = SUITES[v.suite];
  const eap = v.auth === 'eap';
  const users = eap
    ? // A disabled user (macvpn user disable) has no `user` line: EAP refuses them after `ikectl reload`.
      site.users.filter((u) => !u.disabled).map((u) => {
        const pw = site.secrets.passwords.get(u.name);
        if (pw === undefined) throw new MacvpnError(`user "${u.name}" has no password`);
        return `user ${quoteIkedString(u.name, `user name ${JSON.stringify(u.name)}`)} ${quoteIkedString(pw, `the password of "${u.name}"`)}`;
      })
    : [];
  const policy = [
    `ikev2 ${quoteIkedString(POLICY_NAME, 'policy name')} passive esp`,
    // `dynamic` is the address handed out: a full tunnel for every client, one flow each
    // (OpenBSD 6.9+, iked.md §1). IPv4 only, like the pool.
    'from 0.0.0.0/0 to dynamic',
    `local ${localAddress(site.listen)} peer any`,
    `ikesa ${suite.ikesa}`,
    `childsa ${suite.childsa}`,
    `srcid ${quoteIkedString(site.server.toLowerCase(), 'server name')}`,
    // Certificate mode has no auth keyword: "the default is to allow any signature
    // authentication" (iked.conf.5), which takes the Macs' ECDSA and RSA certificates.
    ...(eap ? ['eap "mschap-v2"'] : []),
    `config address ${site.pool.cidr}`,
    ...site.dns.map((d) => `config name-server ${d}`),
    `tag ${quoteIkedString(PF_TAG, 'tag')}`,
  ];
  return joinLines([
    ...headerLines('iked.conf', site, release.version),
    '# Mode 0600: iked refuses an iked.conf that group or others can access (parse.y check_file_secrecy).',
    '',
    '# RFC 7383 fragmentation is off by default; certificate chains push IKE_AUTH past 1500 bytes (iked.md §4).',
    'set fragmentation',
    ...(eap ? ['', '# EAP-MSCHAPv2 users (MSCHAPv2 needs the password in clear; this file is 0600).', ...users] : []),
    '',
    ...policy.map((l, i) => (i === 0 ? `${l} \\` : `\t${l}${i < policy.length - 1 ? ' \\' : ''}`)),
  ]);
}
