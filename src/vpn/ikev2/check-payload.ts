/**
 * Checks an IKEv2 VPN payload and the payloads it refers to (iked.md §3; apple-schema/
 * com.apple.vpn.managed.yaml IKEv2, com.apple.security.pkcs12/root) and summarises it without
 * secrets: the identities, the proposals, the identity certificate's subject and expiry.
 */
import { X509Certificate } from 'node:crypto';
import type { TypedValue } from '../../apple/read-plist.js';
import { payloadReader } from '../../apple/payload-reader.js';
import { PAYLOAD_TYPE_PKCS12, PAYLOAD_TYPE_ROOT } from '../../apple/payload-types.js';
import type { PayloadSummary } from '../vpn-type.js';
import { readPkcs12Certificate } from './pki/read-pkcs12.js';

type Dict = ReadonlyMap<string, TypedValue>;

const day = (d: Date) => d.toISOString().slice(0, 10);

/** "AES-256-GCM/SHA2-512/20" for the summary. */
function proposal(d: Dict | undefined): string {
  if (!d) return '?';
  const v = (k: string) => {
    const x = d.get(k);
    return x?.type === 'string' || x?.type === 'integer' ? String(x.value) : '?';
  };
  return `${v('EncryptionAlgorithm')}/${v('IntegrityAlgorithm')}/DH${v('DiffieHellmanGroup')}`;
}

export function checkIkev2Payload(vpn: Dict, all: readonly TypedValue[]): PayloadSummary {
  const problems: string[] = [];
  const summary: PayloadSummary = { hasPassword: false, sendAllTraffic: false, dns: [], details: [], problems, extra: {} };
  const r = payloadReader(problems);
  const at = 'VPN payload ';
  summary.vpnType = r.str(vpn, 'VPNType', at);
  summary.vpnName = r.str(vpn, 'UserDefinedName', at);
  summary.dns = r.dns(vpn, at);
  const ike = r.dict(vpn, 'IKEv2', at);
  if (!ike) return summary;
  const w = `${at}IKEv2.`;
  summary.server = r.str(ike, 'RemoteAddress', w);
  const remoteId = r.str(ike, 'RemoteIdentifier', w);
  const localId = r.str(ike, 'LocalIdentifier', w);
  const method = r.str(ike, 'AuthenticationMethod', w);
  const ikeSa = r.dict(ike, 'IKESecurityAssociationParameters', w);
  const childSa = r.dict(ike, 'ChildSecurityAssociationParameters', w);
  summary.sendAllTraffic = ike.get('IncludeAllNetworks')?.value === 1;
  if (!summary.sendAllTraffic) problems.push(`${w}IncludeAllNetworks must be <integer>1</integer> (all traffic through the VPN)`);
  const payloads = all.flatMap((p) => (p.type === 'dictionary' ? [p.value] : []));
  const byUuid = (uuid: string | undefined) => payloads.find((p) => p.get('PayloadUUID')?.value === uuid);
  summary.details.push(`server identity ${remoteId ?? '?'}`, `IKE ${proposal(ikeSa)}`, `Child ${proposal(childSa)}`);
  summary.extra.remoteIdentifier = remoteId;
  summary.extra.localIdentifier = localId;
  summary.extra.authentication = method;
  summary.extra.ikeProposal = proposal(ikeSa);
  summary.extra.childProposal = proposal(childSa);
  summary.extra.onDemand = ike.get('OnDemandEnabled')?.value === 1;
  if (method === 'Certificate') {
    summary.account = localId;
    const uuid = r.str(ike, 'PayloadCertificateUUID', w);
    const p12 = byUuid(uuid);
    if (!p12 || p12.get('PayloadType')?.value !== PAYLOAD_TYPE_PKCS12) problems.push(`${w}PayloadCertificateUUID names no ${PAYLOAD_TYPE_PKCS12} payload of this profile`);
    else {
      const content = p12.get('PayloadContent');
      const password = p12.get('Password');
      if (content?.type !== 'data') problems.push(`the ${PAYLOAD_TYPE_PKCS12} payload's PayloadContent is not <data>`);
      else if (password?.type !== 'string') problems.push(`the ${PAYLOAD_TYPE_PKCS12} payload has no Password: the Mac would ask for it`);
      else {
        // The identity is opened with the payload's own Password, as the Mac's keychain will.
        const cert = readPkcs12Certificate(content.value, password.value);
        if (typeof cert === 'string') problems.push(`the identity (PKCS#12) ${cert}`);
        else {
          const x = new X509Certificate(cert);
          const sans = (x.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
          summary.details.push(`identity ${x.subject.replace(/\n/g, ', ')} (valid until ${day(new Date(x.validTo))})`);
          summary.extra.identityNotAfter = new Date(x.validTo).toISOString();
          summary.extra.identitySubject = x.subject.replace(/\n/g, ', ');
          if (localId !== undefined && !sans.includes(localId)) problems.push(`${w}LocalIdentifier ${JSON.stringify(localId)} is not a DNS name of the identity certificate (${sans.join(', ') || 'none'}): iked would refuse it`);
        }
      }
    }
  } else if (method === 'None') {
    if (ike.get('ExtendedAuthEnabled')?.value !== 1) problems.push(`${w}ExtendedAuthEnabled must be <integer>1</integer> with AuthenticationMethod None (EAP)`);
    summary.account = r.str(ike, 'AuthName', w);
    const pw = r.str(ike, 'AuthPassword', w, false);
    if (pw === '') problems.push(`${w}AuthPassword is empty (leave it out to be asked at connect time)`);
    summary.hasPassword = pw !== undefined && pw !== '';
    summary.details.unshift(`EAP password ${summary.hasPassword ? 'included' : 'asked at connect time'}`);
  } else if (method !== undefined) problems.push(`${w}AuthenticationMethod is ${JSON.stringify(method)}, must be "Certificate" or "None" (EAP)`);
  const issuer = r.str(ike, 'ServerCertificateIssuerCommonName', w, false);
  const roots = payloads.filter((p) => p.get('PayloadType')?.value === PAYLOAD_TYPE_ROOT);
  for (const root of roots) {
    const c = root.get('PayloadContent');
    if (c?.type !== 'data') problems.push(`the ${PAYLOAD_TYPE_ROOT} payload's PayloadContent is not <data>`);
    else {
      try {
        const x = new X509Certificate(c.value);
        summary.details.push(`trusts ${x.subject.replace(/\n/g, ', ')}`);
        if (issuer !== undefined && !x.subject.split('\n').includes(`CN=${issuer}`)) problems.push(`${w}ServerCertificateIssuerCommonName ${JSON.stringify(issuer)} is not the CN of the root payload's certificate`);
      } catch {
        problems.push(`the ${PAYLOAD_TYPE_ROOT} payload does not hold a DER certificate`);
      }
    }
  }
  return summary;
}
