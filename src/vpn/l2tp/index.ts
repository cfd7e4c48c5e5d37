/**
 * L2TP over IPsec (DESIGN.md §1, the original procedure): isakmpd through ipsecctl for IPsec with
 * one pre-shared key, npppd for L2TP/PPP with a password per user (MS-CHAPv2).
 */
import type { Site } from '../../site/types.js';
import type { VpnType } from '../vpn-type.js';
import type { OpenbsdRelease } from '../../openbsd/versions.js';
import { checkPsk } from '../../site/rules.js';
import { IPSEC_CONF, NPPPD_CONF, NPPPD_USERS, PSK_FILE } from './files.js';
import { renderIpsecConf } from './render-ipsec-conf.js';
import { renderNpppdConf } from './render-npppd-conf.js';
import { renderNpppdUsers } from './render-npppd-users.js';
import { l2tpPfRules } from './pf-rules.js';
import { L2TP_SCRIPT } from './service.js';
import { checkL2tpState, generatePsk, l2tpState, loadL2tpState, pskFile, type L2tpState } from './state.js';
import { l2tpProfile } from './profile.js';
import { checkL2tpPayload } from './check-payload.js';
import { l2tpStaleReasons } from './stale.js';
import { checkL2tpSettings } from './check-settings.js';

/** Same on every release 5.6 → 7.9: pipex is still off by default and npppd needs it (openbsd.md §4). */
const SYSCTLS = [
  ['net.pipex.enable', '1'],
  ['net.inet.ip.forwarding', '1'],
] as const;

export const L2TP: VpnType = {
  id: 'l2tp',
  label: 'L2TP over IPsec',
  appleVpnType: 'L2TP',

  parseSettings: () => ({}),
  renderSettings: () => [],
  settingsFromOptions: () => ({}),
  checkSettings: checkL2tpSettings,
  checkUserName: () => undefined,
  initOptions: ['pskStdin'],

  loadState: (read) => loadL2tpState(read),
  checkState: (_settings, secrets) => checkL2tpState(secrets.vpn as L2tpState),
  stateFiles: (change, tools) => {
    // A new site gets a generated PSK unless one was given (init --psk-stdin, import).
    const psk = change.siteSecret ?? (change.before === undefined ? generatePsk(tools.random) : undefined);
    return { files: psk === undefined ? [] : [pskFile(psk)], remove: [], notes: [] };
  },
  siteSecret: {
    name: 'shared secret',
    file: PSK_FILE,
    check: checkPsk,
    generate: generatePsk,
    apply: (_state, psk): L2tpState => ({ psk }),
  },
  maskState: (_state, fill): L2tpState => ({ psk: fill.repeat(32) }),
  userSecretName: 'password',

  minOpenbsd: () => undefined,
  serverParts: (site: Site, release: OpenbsdRelease) => ({
    // ipsec.conf and npppd-users hold secrets; npppd.conf is 0600 as mtree expects (openbsd.md §1–§3).
    files: [
      { ...IPSEC_CONF, contents: renderIpsecConf(site, release), secret: true },
      { ...NPPPD_CONF, contents: renderNpppdConf(site, release) },
      { ...NPPPD_USERS, contents: renderNpppdUsers(site, release), secret: true },
    ],
    pfRules: l2tpPfRules(site, release),
    sysctls: SYSCTLS,
    script: L2TP_SCRIPT,
  }),

  profile: l2tpProfile,
  // The one secret every profile carries besides the user's password.
  profileInputs: (site) => [l2tpState(site).psk],
  checkPayload: (vpn) => checkL2tpPayload(vpn),
  staleReasons: l2tpStaleReasons,
  findings: () => ({ lines: [], warnings: [], problems: [] }),
  userFacts: () => ({}),
  removalNotes: (_settings, name) => [
    `next: macvpn server, then install server/ on the router: npppd refuses ${name} from the next login`,
    `  end ${name}'s live session on the router with: npppctl clear username ${name}`,
    `  ${name} still knows the shared secret: "macvpn psk rotate", then macvpn build, install, and send every other user the new profile`,
  ],
  profileHolds: 'the shared secret',
  mailNotes: (_settings, includePassword) => [
    ...(includePassword
      ? ['This profile also contains your VPN password, so you will not be asked for it.']
      : [
          'Your VPN password is not in this profile. Your administrator will give it to you',
          'separately (not by email). Your Mac asks for it the first time you connect.',
        ]),
    '',
    "The profile contains the VPN's shared secret. Do not forward this message or the",
    'attachment to anyone, and delete the message once the profile is installed.',
  ],
};
