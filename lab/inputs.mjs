// lab/inputs.mjs - where each scenario's inputs come from: prepare() drives a site generator
// through the same steps an administrator would take, and returns the boots (one router
// configuration each) and their cases (one profile each). Two generators implement the steps:
//   macvpnGenerator  - the real CLI, `node bin/macvpn.js --site DIR ...` (the target)
//   fixtureGenerator - lab/fixture-site.mjs, throw-away openssl output in the same layout
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureGenerator } from './fixture-site.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// The site every scenario uses. DNS is an address "behind the router" (the lab puts it on the
// router's loopback), so the ping through ESP goes to the site's own DNS server.
export const SITE = {
  server: 'vpn.example.com',
  pool: '10.8.0.0/24',
  dns: ['10.9.0.53'],
  org: 'Lab Corp',
};

function macvpn(dir, args, input) {
  try {
    return execFileSync(process.execPath, [join(REPO, 'bin', 'macvpn.js'), '--site', dir, ...args],
      { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'], input, env: { ...process.env, MACVPN_DEBUG: '' } }).toString();
  } catch (e) {
    throw new Error(`macvpn ${args.join(' ')} failed (exit ${e.status}): ${(e.stderr ?? '').toString().trim()}`);
  }
}

// The real generator. Every method is one documented command; setSuite edits macvpn.yaml by
// hand (allowed by the README) because init --force would make a new CA.
export const macvpnGenerator = {
  name: 'macvpn',
  init(dir, o) {
    mkdirSync(dirname(dir), { recursive: true });
    macvpn(dir, ['init', '--vpn', 'ikev2', '--auth', o.auth, '--suite', o.suite, '--server', o.server,
      '--pool', o.pool, '--dns', o.dns.join(','), '--org', o.org]);
  },
  userAdd(dir, name) { macvpn(dir, ['user', 'add', name]); },
  userRemove(dir, name) { macvpn(dir, ['user', 'remove', name]); },
  userRotate(dir, name) { macvpn(dir, ['user', 'rotate', name]); },
  setSuite(dir, suite) {
    // macvpn.yaml: "suite:" (top level or indented under "ikev2:"); keeps every other line
    const f = join(dir, 'macvpn.yaml');
    const text = readFileSync(f, 'utf8');
    if (!/^\s*suite:/m.test(text)) throw new Error(`${f} has no "suite:" key to change`);
    writeFileSync(f, text.replace(/^(\s*)suite:.*$/m, `$1suite: "${suite}"`));
  },
  setUserKey(dir, kind) {
    // macvpn.yaml `user_key:` (under "ikev2:"): decides the key type of certificates issued from now on
    const f = join(dir, 'macvpn.yaml');
    const text = readFileSync(f, 'utf8');
    if (!/^\s*user_key:/m.test(text)) throw new Error(`${f} has no "user_key:" key to change`);
    writeFileSync(f, text.replace(/^(\s*)user_key:.*$/m, `$1user_key: "${kind}"`));
  },
  server(dir) { macvpn(dir, ['server']); },
  profile(dir, name) { macvpn(dir, ['profile', name]); },
  build(dir) { macvpn(dir, ['build']); },
};

export const GENERATORS = { macvpn: macvpnGenerator, fixture: fixtureGenerator };

export const SCENARIOS = {
  1: 'certificate user connects: pool address, DNS server, CHILD_SA, ping through ESP',
  2: 'EAP-MSCHAPv2: right password connects, stale (rotated) password refused',
  3: 'user removed with `user remove` (CRL) refused, another user still connects',
  4: "certificate from another site's CA refused",
  5: "profile whose suite does not match the router's refused with NO_PROPOSAL_CHOSEN",
  6: 'tunnel over a path with MTU 1280 comes up',
};

const copySite = (from, to) => execFileSync('cp', ['-a', from, to]);
const keep = (site, name, saved) => {
  mkdirSync(dirname(saved), { recursive: true });
  copyFileSync(join(site, 'profiles', `${name}.mobileconfig`), saved);
  return saved;
};

/**
 * Make every input in `work` with generator `gen` and describe the runs.
 * Returns { boots: [{ id, site, server, expect: {pool, dns, ping}, cases: [...] }] } where a case is
 * { id, scenario, user, profile, ca, expect: 'connect'|'refuse', iked?: RegExp, charon?: RegExp, mtu? }.
 */
export function prepare(work, gen, { log = () => {} } = {}) {
  mkdirSync(work, { recursive: true });
  const expect = { pool: SITE.pool, dns: SITE.dns, ping: SITE.dns[0] };
  const boots = [];

  // ---- boot "cert": the certificate site, cbc suite
  const cert = join(work, 'site-cert');
  log(`${gen.name}: certificate site ${cert}`);
  gen.init(cert, { ...SITE, auth: 'certificate', suite: 'cbc' });
  for (const u of ['alice', 'bob', 'carol']) gen.userAdd(cert, u);
  // dave gets an RSA-2048 certificate (user_key: rsa from now on): his IKE_AUTH (about 1.5 KB)
  // does not fit a 1280-byte path unfragmented, so scenario 6 needs RFC 7383 on both sides.
  gen.setUserKey(cert, 'rsa');
  gen.userAdd(cert, 'dave');
  gen.build(cert);
  const bobOld = keep(cert, 'bob', join(work, 'kept', 'bob-before-removal.mobileconfig'));
  gen.userRemove(cert, 'bob');
  gen.server(cert);                      // the CRL now lists bob; redeploy as the README says
  // the same site with the other suite: only alice's profile is taken from it
  const gcm = join(work, 'site-cert-gcm');
  copySite(cert, gcm);
  gen.setSuite(gcm, 'gcm');
  gen.profile(gcm, 'alice');
  // another site (its own CA) for the same server name
  const other = join(work, 'site-other');
  gen.init(other, { ...SITE, org: 'Other Corp', auth: 'certificate', suite: 'cbc' });
  gen.userAdd(other, 'mallory');
  gen.build(other);
  const prof = (site, u) => join(site, 'profiles', `${u}.mobileconfig`);
  boots.push({
    id: 'cert', site: cert, server: join(cert, 'server'), expect,
    cases: [
      { id: 's1-alice', scenario: 1, user: 'alice', profile: prof(cert, 'alice'), ca: join(cert, 'ca.pem'), expect: 'connect',
        rekey: true, pfsGroup: 'ECP_384' },
      // the same profile, the Mac signing AUTH the classic way (ECDSA-256, method 9) instead of
      // RFC 7427: which one macOS uses is not known here, so both must work
      { id: 's1-alice-classic-auth', scenario: 1, user: 'alice', profile: prof(cert, 'alice'), ca: join(cert, 'ca.pem'), expect: 'connect',
        charonSettings: 'signature_authentication = no' },
      { id: 's3-bob-removed', scenario: 3, user: 'bob', profile: bobOld, ca: join(cert, 'ca.pem'), expect: 'refuse',
        iked: /ca_validate_cert: .*certificate revoked/ },
      { id: 's3-carol', scenario: 3, user: 'carol', profile: prof(cert, 'carol'), ca: join(cert, 'ca.pem'), expect: 'connect' },
      { id: 's4-other-ca', scenario: 4, user: 'mallory', profile: prof(other, 'mallory'), ca: join(other, 'ca.pem'), expect: 'refuse',
        iked: /ca_validate_cert: .*(unable to get local issuer certificate|certificate signature failure|unable to verify)/ },
      { id: 's5-gcm-profile', scenario: 5, user: 'alice', profile: prof(gcm, 'alice'), ca: join(gcm, 'ca.pem'), expect: 'refuse',
        iked: /no proposal chosen|NO_PROPOSAL_CHOSEN/i, charon: /received NO_PROPOSAL_CHOSEN/ },
      // MTU 1280 on the veth pair and no IP reassembly on either side (a path that drops
      // fragments): IKE_AUTH with the server's RSA certificate only fits with RFC 7383
      { id: 's6-dave-mtu1280', scenario: 6, user: 'dave', profile: prof(cert, 'dave'), ca: join(cert, 'ca.pem'), expect: 'connect',
        mtu: 1280, noIpFragments: true },
    ],
  });

  // ---- boot "eap": the EAP-MSCHAPv2 site, cbc suite
  const eap = join(work, 'site-eap');
  log(`${gen.name}: EAP site ${eap}`);
  gen.init(eap, { ...SITE, auth: 'eap', suite: 'cbc' });
  for (const u of ['erin', 'frank']) gen.userAdd(eap, u);
  gen.build(eap);
  const frankOld = keep(eap, 'frank', join(work, 'kept', 'frank-before-rotate.mobileconfig'));
  gen.userRotate(eap, 'frank');
  gen.build(eap);                        // router and profiles get frank's new password
  boots.push({
    id: 'eap', site: eap, server: join(eap, 'server'), expect,
    cases: [
      { id: 's2-erin', scenario: 2, user: 'erin', profile: prof(eap, 'erin'), ca: join(eap, 'ca.pem'), expect: 'connect' },
      { id: 's2-frank-stale-password', scenario: 2, user: 'frank', profile: frankOld, ca: join(eap, 'ca.pem'), expect: 'refuse',
        iked: /ikev2_resp_ike_eap_mschap: .* authentication failed|sa_free: EAP failed/ },
    ],
  });
  for (const b of boots) for (const c of b.cases) if (!existsSync(c.profile)) throw new Error(`missing profile ${c.profile}`);
  return { boots };
}
