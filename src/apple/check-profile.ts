/**
 * Checks a profile's content against what an L2TP profile must hold (apple.md §1–2, the schema
 * files in apple-schema/) and summarises it without secrets: lengths and presence only.
 */
import type { TypedValue } from './read-plist.js';
import { PAYLOAD_TYPE_VPN } from './l2tp-payload.js';

export interface ProfileSummary {
  identifier?: string;
  uuid?: string;
  displayName?: string;
  organization?: string;
  scope?: string;
  vpnType?: string;
  vpnName?: string;
  server?: string;
  account?: string;
  hasPassword: boolean;
  sharedSecretBytes: number;
  sendAllTraffic: boolean;
  dns: string[];
  problems: string[];
}

type Dict = Map<string, TypedValue>;

export function checkProfile(root: TypedValue): ProfileSummary {
  const problems: string[] = [];
  const summary: ProfileSummary = { hasPassword: false, sharedSecretBytes: 0, sendAllTraffic: false, dns: [], problems };
  if (root.type !== 'dictionary') {
    problems.push('the top level is not a dictionary');
    return summary;
  }
  const str = (d: Dict, key: string, where: string, required = true): string | undefined => {
    const v = d.get(key);
    if (v === undefined) {
      if (required) problems.push(`${where}${key} is missing`);
      return undefined;
    }
    if (v.type !== 'string') {
      problems.push(`${where}${key} is <${v.type}>, must be <string>`);
      return undefined;
    }
    return v.value;
  };
  const dict = (d: Dict, key: string, where: string): Dict | undefined => {
    const v = d.get(key);
    if (v === undefined) problems.push(`${where}${key} is missing`);
    else if (v.type !== 'dictionary') problems.push(`${where}${key} is <${v.type}>, must be <dictionary>`);
    else return v.value;
    return undefined;
  };
  const expectValue = (d: Dict, key: string, where: string, want: string) => {
    const got = str(d, key, where);
    if (got !== undefined && got !== want) problems.push(`${where}${key} is ${JSON.stringify(got)}, must be ${JSON.stringify(want)}`);
  };
  const version1 = (d: Dict, where: string) => {
    const v = d.get('PayloadVersion');
    if (!v || v.type !== 'integer' || v.value !== 1) problems.push(`${where}PayloadVersion must be <integer>1</integer>`);
  };

  const top = root.value;
  expectValue(top, 'PayloadType', '', 'Configuration');
  version1(top, '');
  summary.identifier = str(top, 'PayloadIdentifier', '');
  summary.uuid = str(top, 'PayloadUUID', '');
  summary.displayName = str(top, 'PayloadDisplayName', '', false);
  summary.organization = str(top, 'PayloadOrganization', '', false);
  summary.scope = str(top, 'PayloadScope', '', false);
  if (summary.scope !== undefined && summary.scope !== 'System' && summary.scope !== 'User') problems.push(`PayloadScope is ${JSON.stringify(summary.scope)}, must be "System" or "User"`);

  const content = top.get('PayloadContent');
  if (!content || content.type !== 'array') {
    problems.push('PayloadContent is missing or not an <array>');
    return summary;
  }
  const uuids = new Set<string>(summary.uuid ? [summary.uuid] : []);
  const ids = new Set<string>(summary.identifier ? [summary.identifier] : []);
  const vpns = content.value.filter((p) => p.type === 'dictionary' && p.value.get('PayloadType')?.value === PAYLOAD_TYPE_VPN);
  content.value.forEach((p, i) => {
    if (p.type !== 'dictionary') return void problems.push(`PayloadContent[${i}] is not a dictionary`);
    const uuid = str(p.value, 'PayloadUUID', `PayloadContent[${i}].`);
    const id = str(p.value, 'PayloadIdentifier', `PayloadContent[${i}].`);
    version1(p.value, `PayloadContent[${i}].`);
    // "PayloadUUID used more than once" is an install failure users hit (field.md §3.5).
    if (uuid !== undefined && uuids.has(uuid)) problems.push(`PayloadContent[${i}].PayloadUUID is used more than once`);
    if (id !== undefined && ids.has(id)) problems.push(`PayloadContent[${i}].PayloadIdentifier is used more than once`);
    if (uuid) uuids.add(uuid);
    if (id) ids.add(id);
  });
  if (vpns.length !== 1) {
    problems.push(`expected one ${PAYLOAD_TYPE_VPN} payload, found ${vpns.length}`);
    return summary;
  }
  const vpn = (vpns[0] as { value: Dict }).value;
  const at = 'VPN payload ';
  summary.vpnType = str(vpn, 'VPNType', at);
  if (summary.vpnType !== undefined && summary.vpnType !== 'L2TP') problems.push(`${at}VPNType is ${JSON.stringify(summary.vpnType)}, must be "L2TP"`);
  summary.vpnName = str(vpn, 'UserDefinedName', at);
  const ppp = dict(vpn, 'PPP', at);
  if (ppp) {
    summary.server = str(ppp, 'CommRemoteAddress', `${at}PPP.`);
    summary.account = str(ppp, 'AuthName', `${at}PPP.`);
    const pw = str(ppp, 'AuthPassword', `${at}PPP.`, false);
    // An empty string is not the same as absent (apple.md §2).
    if (pw === '') problems.push(`${at}PPP.AuthPassword is empty (leave it out to be asked at connect time)`);
    summary.hasPassword = pw !== undefined && pw !== '';
  }
  const ipsec = dict(vpn, 'IPSec', at);
  if (ipsec) {
    expectValue(ipsec, 'AuthenticationMethod', `${at}IPSec.`, 'SharedSecret');
    expectValue(ipsec, 'LocalIdentifierType', `${at}IPSec.`, 'KeyID');
    const secret = ipsec.get('SharedSecret');
    if (!secret) problems.push(`${at}IPSec.SharedSecret is missing`);
    else if (secret.type !== 'data') problems.push(`${at}IPSec.SharedSecret is <${secret.type}>, must be <data>`);
    else summary.sharedSecretBytes = secret.value.length;
  }
  const ipv4 = dict(vpn, 'IPv4', at);
  const op = ipv4?.get('OverridePrimary');
  if (ipv4 && (!op || op.type !== 'integer' || op.value !== 1)) {
    problems.push(`${at}IPv4.OverridePrimary must be <integer>1</integer> ("send all traffic")`);
  }
  summary.sendAllTraffic = op?.type === 'integer' && op.value === 1;
  const dns = vpn.get('DNS');
  if (dns?.type === 'dictionary') {
    const addrs = dns.value.get('ServerAddresses');
    if (addrs?.type === 'array') summary.dns = addrs.value.flatMap((a) => (a.type === 'string' ? [a.value] : []));
    else problems.push(`${at}DNS.ServerAddresses is missing`);
    if (dns.value.get('DNSProtocol')?.type !== 'string') problems.push(`${at}DNS.DNSProtocol is missing`);
  }
  return summary;
}
