/**
 * IKEv2 on OpenBSD's iked (DESIGN.md §1, §3; docs/iked.md): a VPN CA of the site, a certificate
 * per user revoked one by one through a CRL (or EAP-MSCHAPv2 passwords), one pinned AEAD or CBC
 * suite, optional VPN On Demand. isakmpd and iked both own UDP 500/4500: install.sh hands over
 * from an L2TP router macvpn set up.
 */
import type { Problem, Settings, Site } from '../../site/types.js';
import type { InstalledFile, ServerFile, VpnType } from '../vpn-type.js';
import type { OpenbsdRelease } from '../../openbsd/versions.js';
import { isHostname } from '../../site/rules.js';
import { parseIpv4 } from '../../site/ipv4.js';
import { CA_CRL, CA_CRT, IKED_CONF, LOCAL_KEY, serverCrt } from './files.js';
import { IKEV2_KEY, ikev2Settings, ikev2SettingsFromOptions, parseIkev2Settings, renderIkev2Settings } from './settings.js';
import { certInfo, checkIkev2State, completeIkev2State, pickIkev2State, ikev2State, loadIkev2State, maskIkev2State, pemDer, type Ikev2State } from './state.js';
import { ikev2StateFiles } from './issue.js';
import { ikedStringProblem, renderIkedConf } from './render-iked-conf.js';
import { ikev2PfRules } from './pf-rules.js';
import { ikev2Script } from './service.js';
import { ikev2Profile } from './profile.js';
import { ISSUE_TASK, issueIdentities } from './issue-identity.js';
import { checkIkev2Payload } from './check-payload.js';
import { ikev2StaleReasons } from './stale.js';
import { checkCertificateUserName, userIdentity } from './identity.js';
import { pem } from './pki/index.js';
import { ikev2Findings } from './findings.js';

function checkSettings(s: Settings): Problem[] {
  const problems: Problem[] = [];
  // A certificate names the server: iked's srcid and the Mac's RemoteIdentifier are its DNS SAN,
  // and some Apple versions refuse iPAddress SANs (iked.md §4.1).
  if (!isHostname(s.server) || parseIpv4(s.server) !== undefined || s.server.includes(':')) {
    problems.push({ path: 'server', message: `${JSON.stringify(s.server)} must be a DNS name for IKEv2: the server's certificate carries it (an IP address cannot be one)` });
  } else if (!s.server.includes('.')) problems.push({ path: 'server', message: `${JSON.stringify(s.server)} must be a fully qualified DNS name for IKEv2 (like vpn.example.com)` });
  s.users.forEach((u, i) => {
    // iked hands out pool addresses itself; a per-user address needs a policy per user (not yet).
    if (u.ip !== undefined) problems.push({ path: `users[${i}].ip`, message: `fixed addresses are not supported with IKEv2 yet (iked gives each Mac an address from the pool): remove ip from "${u.name}"` });
  });
  s.dns.forEach((d, i) => {
    // The shared rule refuses the rest of the pool; iked leases the first address as well (it
    // has no tunnel interface of its own, ikev2.c ikev2_cp_setaddr_pool).
    if (parseIpv4(d) === s.pool.network + 1) problems.push({ path: `dns[${i}]`, message: `${d} is in the pool ${s.pool.cidr}, and iked may hand it to a Mac: there is no router address in an IKEv2 pool` });
  });
  return problems;
}

export const IKEV2: VpnType = {
  id: 'ikev2',
  label: 'IKEv2',
  appleVpnType: 'IKEv2',

  settingsKey: IKEV2_KEY,
  initOptions: ['auth', 'suite', 'userKey'],
  parseSettings: (block, report) => ({ ...parseIkev2Settings(block, report) }),
  renderSettings: renderIkev2Settings,
  settingsFromOptions: (opts, errors) => ({ ...ikev2SettingsFromOptions(opts, errors) }),
  checkSettings,
  checkUserName: (settings, name) => (ikev2Settings(settings).auth === 'certificate' ? checkCertificateUserName(name) : undefined),

  loadState: loadIkev2State,
  completeState: (state, read, users) => completeIkev2State(state as Ikev2State, read, users),
  pickState: (state, users) => pickIkev2State(state as Ikev2State, users),
  checkState: (settings, secrets) => {
    const problems = checkIkev2State(settings, secrets.vpn as Ikev2State);
    if (ikev2Settings(settings).auth === 'eap') {
      for (const u of settings.users) {
        const pw = secrets.passwords.get(u.name);
        const msg = pw === undefined ? undefined : ikedStringProblem(pw);
        if (msg) problems.push({ path: 'passwords', message: `the password of "${u.name}" ${msg}` });
      }
    }
    return problems;
  },
  stateFiles: ikev2StateFiles,
  tasks: { [ISSUE_TASK]: issueIdentities },
  maskState: (state, fill) => maskIkev2State(state as Ikev2State, fill),
  // EAP: the login password; certificate mode: the PKCS#12 import password inside the profile.
  userSecretName: 'password',

  // `dynamic` flows (one per client) arrived in OpenBSD 6.9, AES-GCM for the IKE SA in 6.8 and
  // fragmentation in 6.6 (iked.md §1 "What arrived when"): 6.9 serves both suites.
  minOpenbsd: () => ({ version: '6.9', why: 'iked\'s "dynamic" flows, one per Mac, arrived in 6.9' }),
  serverParts: (site: Site, release: OpenbsdRelease) => {
    const state = ikev2State(site);
    const certMode = ikev2Settings(site).auth === 'certificate';
    const cert = serverCrt(site.server.toLowerCase());
    const files: ServerFile[] = [
      // Holds the EAP passwords in EAP mode; 0600 in any case, or iked refuses it (parse.y).
      { ...IKED_CONF, contents: renderIkedConf(site, release), secret: true },
      { ...CA_CRT, contents: pem('CERTIFICATE', pemDer(state.caCertPem!)) },
      { ...cert, contents: pem('CERTIFICATE', pemDer(state.serverCertPem!)) },
      { ...LOCAL_KEY, contents: state.serverKeyPem!, secret: true },
      ...(certMode ? [{ ...CA_CRL, contents: state.crlPem! }] : []),
    ];
    return {
      files,
      pfRules: ikev2PfRules(site),
      sysctls: [['net.inet.ip.forwarding', '1']],
      script: ikev2Script(files as InstalledFile[], cert, certMode, site.server.toLowerCase()),
    };
  },

  profile: ikev2Profile,
  // The VPN CA (the root payload) and, in certificate mode, the user's certificate and PKCS#12.
  profileInputs: (site, user) => {
    const state = ikev2State(site);
    const id = state.users.get(user.name);
    return [state.caCertPem, id?.cert, id?.p12];
  },
  checkPayload: checkIkev2Payload,
  staleReasons: ikev2StaleReasons,
  findings: ikev2Findings,
  userFacts: (site, user): Record<string, string> => {
    if (ikev2Settings(site).auth !== 'certificate') return {};
    const info = certInfo(ikev2State(site).users.get(user.name)?.cert);
    return { certificate: info ? `until ${info.notAfter.toISOString().slice(0, 10)}` : 'none yet (macvpn build)' };
  },
  removalNotes: (settings, name) => {
    const cert = ikev2Settings(settings).auth === 'certificate';
    const id = cert ? userIdentity(settings, { name }) : name;
    return [
      `next: macvpn server, then install server/ on the router: ${cert ? `the CRL there refuses ${name}'s certificate (install.sh makes iked reload it)` : `iked.conf no longer has ${name}`}`,
      `  end ${name}'s live tunnel on the router with: ikectl reset id ${id}`,
    ];
  },
  profileHolds: "a user's VPN certificate or password",
  mailNotes: (settings, includePassword) =>
    ikev2Settings(settings).auth === 'certificate'
      ? [
          'The profile contains your own VPN certificate and its key: it logs you in, so you are',
          'never asked for a VPN password. Do not forward this message or the attachment to anyone,',
          'and delete the message once the profile is installed. If the file is lost or leaked,',
          'tell your administrator, who can revoke the certificate and send you a new one.',
        ]
      : [
          ...(includePassword
            ? ['This profile also contains your VPN password, so you will not be asked for it.']
            : [
                'Your VPN password is not in this profile. Your administrator will give it to you',
                'separately (not by email). Your Mac asks for it the first time you connect.',
              ]),
          '',
          'Do not forward this message or the attachment to anyone, and delete the message once',
          'the profile is installed.',
        ],
};
