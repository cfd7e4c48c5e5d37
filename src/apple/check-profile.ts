/**
 * Checks a profile's envelope (TopLevel.yaml, CommonPayloadKeys.yaml: types, versions, unique
 * identifiers and UUIDs) and hands its VPN payload to the VPN type whose Apple `VPNType` it names
 * (src/vpn/<type>/check-payload.ts). The summary holds no secrets: lengths and presence only.
 */
import type { TypedValue } from './read-plist.js';
import { payloadReader } from './payload-reader.js';
import { PAYLOAD_TYPE_VPN } from './payload-types.js';
import type { PayloadSummary } from '../vpn/vpn-type.js';
import { vpnTypeByAppleName, VPN_TYPES } from '../vpn/index.js';

export interface ProfileSummary extends Omit<PayloadSummary, 'extra'> {
  identifier?: string;
  uuid?: string;
  displayName?: string;
  organization?: string;
  scope?: string;
  /** Type-specific machine-readable facts (verify --json). */
  extra: Record<string, unknown>;
}

type Dict = ReadonlyMap<string, TypedValue>;

export function checkProfile(root: TypedValue): ProfileSummary {
  const problems: string[] = [];
  const summary: ProfileSummary = { hasPassword: false, sendAllTraffic: false, dns: [], details: [], problems, extra: {} };
  if (root.type !== 'dictionary') {
    problems.push('the top level is not a dictionary');
    return summary;
  }
  const r = payloadReader(problems);
  const version1 = (d: Dict, where: string) => {
    const v = d.get('PayloadVersion');
    if (!v || v.type !== 'integer' || v.value !== 1) problems.push(`${where}PayloadVersion must be <integer>1</integer>`);
  };

  const top = root.value;
  r.expect(top, 'PayloadType', '', 'Configuration');
  version1(top, '');
  summary.identifier = r.str(top, 'PayloadIdentifier', '');
  summary.uuid = r.str(top, 'PayloadUUID', '');
  summary.displayName = r.str(top, 'PayloadDisplayName', '', false);
  summary.organization = r.str(top, 'PayloadOrganization', '', false);
  summary.scope = r.str(top, 'PayloadScope', '', false);
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
    const uuid = r.str(p.value, 'PayloadUUID', `PayloadContent[${i}].`);
    const id = r.str(p.value, 'PayloadIdentifier', `PayloadContent[${i}].`);
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
  const named = vpn.get('VPNType');
  const type = named?.type === 'string' ? vpnTypeByAppleName(named.value) : undefined;
  if (!type) {
    const known = Object.values(VPN_TYPES).map((t) => JSON.stringify(t.appleVpnType)).join(' or ');
    problems.push(named === undefined ? 'VPN payload VPNType is missing' : `VPN payload VPNType is ${named.type === 'string' ? JSON.stringify(named.value) : `<${named.type}>`}, must be ${known}`);
    return summary;
  }
  const vpnSummary = type.checkPayload(vpn, content.value);
  return { ...summary, ...vpnSummary, problems: [...problems, ...vpnSummary.problems] };
}
