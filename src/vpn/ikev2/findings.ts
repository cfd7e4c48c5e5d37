/**
 * What `macvpn check` says about the IKEv2 PKI: how long the VPN CA, iked's certificate, the CRL
 * and each user's certificate stay valid. Within RENEW_DAYS the next build renews them (a user's
 * renewed certificate means a new profile); past the end iked or the Mac refuses them.
 */
import type { Site } from '../../site/types.js';
import { certInfo, ikev2State } from './state.js';
import { ikev2Settings } from './settings.js';
import { RENEW_DAYS } from './issue.js';
import { CA_CERT_PEM, CRL_PEM, SERVER_CERT_PEM, userCertPem } from './files.js';

const DAY = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);

export interface Findings {
  lines: string[];
  warnings: string[];
  problems: string[];
}

export function ikev2Findings(site: Site, now: Date): Findings {
  const f: Findings = { lines: [], warnings: [], problems: [] };
  const s = ikev2State(site);
  const judge = (file: string, what: string, end: Date | undefined, consequence: string, after = 'then install server/ on the router') => {
    if (!end) return;
    const left = Math.floor((end.getTime() - now.getTime()) / DAY);
    if (left < 0) f.problems.push(`${file}: ${what} ended on ${day(end)}: ${consequence}`);
    else if (left < RENEW_DAYS) f.warnings.push(`${file}: ${what} ends in ${left} days (${day(end)}): "macvpn build" renews it; ${after}`);
  };
  const ca = certInfo(s.caCertPem);
  const server = certInfo(s.serverCertPem);
  judge(CA_CERT_PEM, 'the VPN CA', ca?.notAfter, 'every Mac refuses the server: move the site to a new VPN CA (delete both CA files, build) and send every user a new profile');
  judge(SERVER_CERT_PEM, "the server's certificate", server?.notAfter, 'Macs refuse the server: run "macvpn build" and install server/');
  if (ca && server) f.lines.push(`pki: VPN CA valid until ${day(ca.notAfter)}, server certificate until ${day(server.notAfter)}`);
  if (ikev2Settings(site).auth === 'certificate') {
    const next = s.revoked.nextUpdate ? new Date(s.revoked.nextUpdate) : undefined;
    judge(CRL_PEM, 'the CRL', next, 'iked refuses every certificate: run "macvpn build" and install server/');
    let soonest: Date | undefined;
    for (const u of site.users) {
      const info = certInfo(s.users.get(u.name)?.cert);
      if (!info) continue;
      judge(userCertPem(u.name), `the certificate of ${u.name}`, info.notAfter, `${u.name} cannot connect: run "macvpn build" and send the new profile`, `then send ${u.name} the new profile`);
      if (!soonest || info.notAfter < soonest) soonest = info.notAfter;
    }
    f.lines.push(`pki: ${s.revoked.entries.length} revoked, CRL valid until ${next ? day(next) : '?'}${soonest ? `, first user certificate ends ${day(soonest)}` : ''}`);
  }
  return f;
}
