/**
 * Checks an L2TP VPN payload (apple.md §2, apple-schema/com.apple.vpn.managed.yaml) and summarises
 * it without secrets: lengths and presence only.
 */
import type { TypedValue } from '../../apple/read-plist.js';
import { payloadReader } from '../../apple/payload-reader.js';
import type { PayloadSummary } from '../vpn-type.js';

type Dict = ReadonlyMap<string, TypedValue>;

export function checkL2tpPayload(vpn: Dict): PayloadSummary {
  const problems: string[] = [];
  const summary: PayloadSummary = { hasPassword: false, sendAllTraffic: false, dns: [], details: [], problems, extra: {} };
  const r = payloadReader(problems);
  const at = 'VPN payload ';
  summary.vpnType = r.str(vpn, 'VPNType', at);
  if (summary.vpnType !== undefined && summary.vpnType !== 'L2TP') problems.push(`${at}VPNType is ${JSON.stringify(summary.vpnType)}, must be "L2TP"`);
  summary.vpnName = r.str(vpn, 'UserDefinedName', at);
  const ppp = r.dict(vpn, 'PPP', at);
  if (ppp) {
    summary.server = r.str(ppp, 'CommRemoteAddress', `${at}PPP.`);
    summary.account = r.str(ppp, 'AuthName', `${at}PPP.`);
    const pw = r.str(ppp, 'AuthPassword', `${at}PPP.`, false);
    // An empty string is not the same as absent (apple.md §2).
    if (pw === '') problems.push(`${at}PPP.AuthPassword is empty (leave it out to be asked at connect time)`);
    summary.hasPassword = pw !== undefined && pw !== '';
  }
  let secretBytes = 0;
  const ipsec = r.dict(vpn, 'IPSec', at);
  if (ipsec) {
    r.expect(ipsec, 'AuthenticationMethod', `${at}IPSec.`, 'SharedSecret');
    r.expect(ipsec, 'LocalIdentifierType', `${at}IPSec.`, 'KeyID');
    const secret = ipsec.get('SharedSecret');
    if (!secret) problems.push(`${at}IPSec.SharedSecret is missing`);
    else if (secret.type !== 'data') problems.push(`${at}IPSec.SharedSecret is <${secret.type}>, must be <data>`);
    else secretBytes = secret.value.length;
  }
  summary.details.push(`password ${summary.hasPassword ? 'included' : 'asked at connect time'}`, `shared secret ${secretBytes} bytes`);
  summary.extra.sharedSecretBytes = secretBytes;
  const ipv4 = r.dict(vpn, 'IPv4', at);
  const op = ipv4?.get('OverridePrimary');
  if (ipv4 && (!op || op.type !== 'integer' || op.value !== 1)) {
    problems.push(`${at}IPv4.OverridePrimary must be <integer>1</integer> ("send all traffic")`);
  }
  summary.sendAllTraffic = op?.type === 'integer' && op.value === 1;
  summary.dns = r.dns(vpn, at);
  return summary;
}
