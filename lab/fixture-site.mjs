// lab/fixture-site.mjs - a THROW-AWAY stand-in for `macvpn --vpn ikev2`, made with openssl, so
// the lab could be built before macvpn generates IKEv2 output. It writes a site folder in the
// layout the lab expects from macvpn (see lab/README.md "What the lab expects from macvpn"):
//   ca.pem, secrets/..., server/etc/iked.conf (0600), server/etc/iked/{ca/ca.crt,
//   certs/SERVER.crt, private/local.key, crls/ca.crl}, server/{install.sh, etc/pf.macvpn.conf,
//   etc/sysctl.macvpn.conf}, profiles/USER.mobileconfig (CMS-signed by a signer under the CA).
// It implements the same small generator interface as the macvpn backend in lab/inputs.mjs.
import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { build as buildPlist } from 'plist';
import { cmsSign, genKey, issueCert, makeCa, makeCrl, makeP12 } from './pki.mjs';

// iked.conf transforms and the matching Apple SA parameters per suite (docs/iked.md §2, §6).
export const SUITES = {
  cbc: {
    ikesa: 'enc aes-256 auth hmac-sha2-512 prf hmac-sha2-512 group ecp384',
    childsa: 'enc aes-256 auth hmac-sha2-512 group ecp384',
    apple: { EncryptionAlgorithm: 'AES-256', IntegrityAlgorithm: 'SHA2-512', DiffieHellmanGroup: 20, LifeTimeInMinutes: 1440 },
  },
  gcm: {
    ikesa: 'enc aes-256-gcm prf hmac-sha2-512 group ecp384',
    childsa: 'enc aes-256-gcm group ecp384',
    apple: { EncryptionAlgorithm: 'AES-256-GCM', IntegrityAlgorithm: 'SHA2-512', DiffieHellmanGroup: 20, LifeTimeInMinutes: 1440 },
  },
};

const statePath = (dir) => join(dir, 'fixture-state.json');
const load = (dir) => JSON.parse(readFileSync(statePath(dir), 'utf8'));
const save = (dir, st) => writeFileSync(statePath(dir), JSON.stringify(st, null, 2));
const secret = (dir, rel) => readFileSync(join(dir, 'secrets', rel), 'utf8');
const put = (file, text, mode = 0o644) => { mkdirSync(join(file, '..'), { recursive: true }); rmSync(file, { force: true }); writeFileSync(file, text, { mode }); };
const password = () => randomBytes(15).toString('base64').replace(/[+/=]/g, 'x');
const uuid5ish = (seed) => { // stable per site+name, like macvpn's UUIDv5 identifiers
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
};

function userIdentity(st, name) { return `${name}.${st.opts.server}`; }

export const fixtureGenerator = {
  name: 'fixture',

  /** opts: { server, pool, dns, org, auth: 'certificate'|'eap', suite: 'cbc'|'gcm', listen } */
  init(dir, opts) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'secrets', 'users'), { recursive: true, mode: 0o700 });
    const st = { opts: { listen: 'egress', ...opts }, users: {}, nextSerial: 0x1001, revoked: [], id: randomUUID() };
    const caKey = genKey('rsa2048');
    const caCert = makeCa(caKey, `${opts.org} VPN CA`);
    put(join(dir, 'secrets', 'ca.key'), caKey, 0o600);
    put(join(dir, 'ca.pem'), caCert);
    const signerKey = genKey('rsa2048');
    put(join(dir, 'secrets', 'signer.key'), signerKey, 0o600);
    put(join(dir, 'secrets', 'signer.crt'), issueCert({ caCert, caKey, keyPem: signerKey, cn: `${opts.org} profile signer`,
      san: `DNS:${opts.server}`, eku: 'emailProtection,codeSigning', serial: (st.nextSerial++).toString(16) }));
    const serverKey = genKey('rsa2048');
    put(join(dir, 'secrets', 'server.key'), serverKey, 0o600);
    put(join(dir, 'secrets', 'server.crt'), issueCert({ caCert, caKey, keyPem: serverKey, cn: opts.server,
      san: `DNS:${opts.server}`, eku: 'serverAuth,1.3.6.1.5.5.8.2.2', serial: (st.nextSerial++).toString(16) }));
    save(dir, st);
  },

  userAdd(dir, name) {
    const st = load(dir);
    st.users[name] = { password: password(), p12Password: password() };
    if (st.opts.auth === 'certificate') {
      const key = genKey(st.opts.userKey === 'rsa' ? 'rsa2048' : 'p256');
      put(join(dir, 'secrets', 'users', `${name}.key`), key, 0o600);
      put(join(dir, 'secrets', 'users', `${name}.crt`), issueCert({ caCert: readFileSync(join(dir, 'ca.pem'), 'utf8'),
        caKey: secret(dir, 'ca.key'), keyPem: key, cn: userIdentity(st, name), san: `DNS:${userIdentity(st, name)}`,
        eku: 'clientAuth', serial: (st.nextSerial++).toString(16) }));
    }
    save(dir, st);
  },

  userRemove(dir, name) {
    const st = load(dir);
    if (st.opts.auth === 'certificate') st.revoked.push(secret(dir, `users/${name}.crt`));
    delete st.users[name];
    rmSync(join(dir, 'profiles', `${name}.mobileconfig`), { force: true });
    save(dir, st);
  },

  userRotate(dir, name) {
    const st = load(dir);
    st.users[name].password = password();
    save(dir, st);
  },

  setSuite(dir, suite) {
    const st = load(dir); st.opts.suite = suite; save(dir, st);
  },

  setUserKey(dir, kind) {
    const st = load(dir); st.opts.userKey = kind; save(dir, st);
  },

  server(dir) {
    const st = load(dir); const o = st.opts; const s = SUITES[o.suite];
    const root = join(dir, 'server');
    rmSync(root, { recursive: true, force: true });
    const eap = o.auth === 'eap';
    const users = eap ? Object.entries(st.users).map(([n, u]) => `user "${n}" "${u.password}"`) : [];
    const conf = [
      '# throw-away fixture (lab/fixture-site.mjs), not macvpn output',
      'set fragmentation',
      ...users,
      '',
      'ikev2 "macvpn" passive esp \\',
      '\tfrom any to dynamic \\',
      `\tlocal ${o.listen} peer any \\`,
      `\tikesa ${s.ikesa} \\`,
      `\tchildsa ${s.childsa} \\`,
      `\tsrcid ${o.server} \\`,
      ...(eap ? ['\teap "mschap-v2" \\'] : []),
      `\tconfig address ${o.pool} \\`,
      ...o.dns.map((d) => `\tconfig name-server ${d} \\`),
      '\ttag "MACVPN"',
      '',
    ].join('\n');
    put(join(root, 'etc', 'iked.conf'), conf, 0o600);
    put(join(root, 'etc', 'iked', 'ca', 'ca.crt'), readFileSync(join(dir, 'ca.pem'), 'utf8'));
    put(join(root, 'etc', 'iked', 'certs', `${o.server}.crt`), secret(dir, 'server.crt'));
    put(join(root, 'etc', 'iked', 'private', 'local.key'), secret(dir, 'server.key'), 0o600);
    if (!eap) {
      put(join(root, 'etc', 'iked', 'crls', 'ca.crl'), makeCrl({ caCert: readFileSync(join(dir, 'ca.pem'), 'utf8'),
        caKey: secret(dir, 'ca.key'), revoked: st.revoked }));
    }
    put(join(root, 'etc', 'pf.macvpn.conf'), 'pass in on egress proto udp to port { isakmp ipsec-nat-t }\npass in on egress proto esp\n', 0o600);
    put(join(root, 'etc', 'sysctl.macvpn.conf'), 'net.inet.ip.forwarding=1\n');
    put(join(root, 'install.sh'), '#!/bin/sh\necho "fixture: install.sh is not run by the lab" >&2\nexit 1\n', 0o700);
  },

  profile(dir, name) {
    const st = load(dir); const o = st.opts; const u = st.users[name];
    if (!u) throw new Error(`fixture: no user ${name}`);
    const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
    const caDer = new X509Certificate(caPem).raw;
    const ids = (k) => ({ PayloadIdentifier: `com.example.lab.${name}.${k}`, PayloadUUID: uuid5ish(`${st.id}${name}${k}`), PayloadVersion: 1 });
    const rootP = { ...ids('root'), PayloadType: 'com.apple.security.root', PayloadDisplayName: `${o.org} VPN CA`,
      PayloadContent: caDer, PayloadCertificateFileName: 'ca.cer' };
    const payloads = [rootP];
    const ikev2 = {
      RemoteAddress: o.server,
      RemoteIdentifier: o.server,
      ServerCertificateIssuerCommonName: `${o.org} VPN CA`,
      IKESecurityAssociationParameters: { ...SUITES[o.suite].apple },
      ChildSecurityAssociationParameters: { ...SUITES[o.suite].apple },
      EnablePFS: 1, DisableRedirect: 1, DisableMOBIKE: 0, DeadPeerDetectionRate: 'Medium', IncludeAllNetworks: 1,
    };
    if (o.auth === 'certificate') {
      const p12 = makeP12({ keyPem: secret(dir, `users/${name}.key`), certPem: secret(dir, `users/${name}.crt`),
        password: u.p12Password, name: userIdentity(st, name) });
      const p12P = { ...ids('identity'), PayloadType: 'com.apple.security.pkcs12', PayloadDisplayName: `${name} VPN identity`,
        PayloadContent: p12, Password: u.p12Password, PayloadCertificateFileName: `${name}.p12` };
      payloads.push(p12P);
      Object.assign(ikev2, { AuthenticationMethod: 'Certificate', PayloadCertificateUUID: p12P.PayloadUUID,
        CertificateType: 'ECDSA256', LocalIdentifier: userIdentity(st, name), ExtendedAuthEnabled: 0 });
    } else {
      Object.assign(ikev2, { AuthenticationMethod: 'None', ExtendedAuthEnabled: 1, AuthName: name, AuthPassword: u.password,
        LocalIdentifier: name });
    }
    payloads.push({ ...ids('vpn'), PayloadType: 'com.apple.vpn.managed', PayloadDisplayName: `${o.org} VPN`,
      UserDefinedName: `${o.org} VPN`, VPNType: 'IKEv2', IKEv2: ikev2 });
    const profile = { ...ids('profile'), PayloadType: 'Configuration', PayloadDisplayName: `${o.org} VPN`,
      PayloadScope: 'System', PayloadContent: payloads };
    const xml = Buffer.from(buildPlist(profile) + '\n');
    const signed = cmsSign({ content: xml, signerCert: secret(dir, 'signer.crt'), signerKey: secret(dir, 'signer.key'), chain: caPem });
    mkdirSync(join(dir, 'profiles'), { recursive: true, mode: 0o700 });
    put(join(dir, 'profiles', `${name}.mobileconfig`), signed, 0o600);
  },

  build(dir) {
    this.server(dir);
    for (const name of Object.keys(load(dir).users)) this.profile(dir, name);
  },

  exists(dir) { return existsSync(statePath(dir)); },
};
