#!/usr/bin/env node
// lab/profile-to-swanctl.mjs - the lab's "Mac": turns a signed Apple .mobileconfig holding a
// com.apple.vpn.managed IKEv2 payload into a strongSwan swanctl directory
// (swanctl.conf, x509/, x509ca/, private/), using nothing but the profile (and the CA that
// should have signed it, to check the CMS signature as a Mac would).
//
// Plain ESM JavaScript (no TypeScript build needed); needs the `plist` package and the
// openssl command (CMS verification, PKCS#12 opening).
//
// CLI:  node lab/profile-to-swanctl.mjs --ca SITE/ca.pem [--name CONN] --out DIR PROFILE
//       prints a JSON summary; exit 1 with "profile-to-swanctl: error: ..." on a bad profile.
//       --unsigned PROFILE.xml   skip the CMS step (input is the plain XML plist)
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isIP } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parse as parsePlist } from 'plist';

export class ProfileError extends Error {}
const fail = (msg) => { throw new ProfileError(msg); };

// ------------------------------------------------------------------ Apple names -> strongSwan
// Apple's enumerations (com.apple.vpn.managed IKEv2 SA parameters) and their strongSwan tokens.
export const ENCRYPTION = {
  'DES': { token: 'des', aead: false },
  '3DES': { token: '3des', aead: false },
  'AES-128': { token: 'aes128', aead: false },
  'AES-256': { token: 'aes256', aead: false },
  'AES-128-GCM': { token: 'aes128gcm16', aead: true },
  'AES-256-GCM': { token: 'aes256gcm16', aead: true },
  'ChaCha20Poly1305': { token: 'chacha20poly1305', aead: true },
};
export const INTEGRITY = {
  'SHA1-96': { integ: 'sha1', prf: 'prfsha1' },
  'SHA1-160': { integ: 'sha1_160', prf: 'prfsha1' },
  'SHA2-256': { integ: 'sha256', prf: 'prfsha256' },
  'SHA2-384': { integ: 'sha384', prf: 'prfsha384' },
  'SHA2-512': { integ: 'sha512', prf: 'prfsha512' },
};
export const DH_GROUPS = {
  1: 'modp768', 2: 'modp1024', 5: 'modp1536', 14: 'modp2048', 15: 'modp3072', 16: 'modp4096',
  17: 'modp6144', 18: 'modp8192', 19: 'ecp256', 20: 'ecp384', 21: 'ecp521', 31: 'curve25519',
  32: 'curve448',
};
// Apple's documented defaults when a key is absent.
export const SA_DEFAULTS = { EncryptionAlgorithm: 'AES-256', IntegrityAlgorithm: 'SHA2-256', DiffieHellmanGroup: 14, LifeTimeInMinutes: 1440 };
const DPD_SECONDS = { None: 0, Low: 1800, Medium: 600, High: 60 };

function saValue(params, fallback, key) {
  if (params && params[key] !== undefined) return params[key];
  if (fallback && fallback[key] !== undefined) return fallback[key];
  return SA_DEFAULTS[key];
}

/** Resolve one SA parameter dictionary (child falls back to the IKE one, then to Apple's defaults). */
export function resolveSa(params, fallback) {
  const r = {};
  for (const k of Object.keys(SA_DEFAULTS)) r[k] = saValue(params, fallback, k);
  return r;
}

/**
 * Apple SA parameters -> strongSwan proposal strings.
 *  IKE:  enc[-integ]-prf-dh   (AEAD: no integrity; the PRF comes from IntegrityAlgorithm)
 *  ESP:  enc[-integ][-dh]     (dh only with EnablePFS; charon uses it for rekeys, as the Mac)
 */
export function proposals(ike, child, enablePfs) {
  const enc = (v, where) => ENCRYPTION[v] ?? fail(`${where}.EncryptionAlgorithm "${v}" is not an Apple value (${Object.keys(ENCRYPTION).join(', ')})`);
  const integ = (v, where) => INTEGRITY[v] ?? fail(`${where}.IntegrityAlgorithm "${v}" is not an Apple value (${Object.keys(INTEGRITY).join(', ')})`);
  const dh = (v, where) => DH_GROUPS[v] ?? fail(`${where}.DiffieHellmanGroup ${v} is not an Apple value (${Object.keys(DH_GROUPS).join(', ')})`);
  const ie = enc(ike.EncryptionAlgorithm, 'IKESecurityAssociationParameters');
  if (ie.token === 'chacha20poly1305') fail('IKESecurityAssociationParameters.EncryptionAlgorithm ChaCha20Poly1305 is ESP-only on Apple devices');
  const ii = integ(ike.IntegrityAlgorithm, 'IKESecurityAssociationParameters');
  const ikeParts = ie.aead ? [ie.token, ii.prf] : [ie.token, ii.integ, ii.prf];
  ikeParts.push(dh(ike.DiffieHellmanGroup, 'IKESecurityAssociationParameters'));
  const ce = enc(child.EncryptionAlgorithm, 'ChildSecurityAssociationParameters');
  const ci = integ(child.IntegrityAlgorithm, 'ChildSecurityAssociationParameters');
  const espParts = ce.aead ? [ce.token] : [ce.token, ci.integ];
  if (enablePfs) espParts.push(dh(child.DiffieHellmanGroup, 'ChildSecurityAssociationParameters'));
  return { ike: ikeParts.join('-'), esp: espParts.join('-') };
}

/**
 * An Apple identifier string -> a strongSwan identity with an explicit type, typed the way
 * macOS types LocalIdentifier/RemoteIdentifier (INFERRED: IP literal -> IP, "a@b" -> RFC 822
 * (USER_FQDN), anything else -> FQDN; Apple never sends ASN.1 DNs), so that strongSwan's own
 * guessing (a "=" would make a DN) cannot differ from the Mac.
 */
export function appleIdentity(value, where) {
  if (typeof value !== 'string' || value === '') fail(`${where} is missing or empty`);
  if (/["\\\n\r]/.test(value)) fail(`${where} "${value}" contains a quote, backslash or newline`);
  if (isIP(value) === 4) return `ipv4:${value}`;
  if (isIP(value) === 6) return `ipv6:${value}`;
  if (value.includes('@')) return `email:${value}`;
  return `fqdn:${value}`;
}

const flag = (v) => v === true || v === 1 || v === '1';
const str = (v) => `"${v}"`;
const hexSecret = (s) => `0x${Buffer.from(s, 'utf8').toString('hex')}`;
const toBuffer = (v, where) => {
  if (v instanceof Uint8Array) return Buffer.from(v);
  fail(`${where} is not <data>`);
};
function derOrPemToPem(buf, where) {
  const text = buf.toString('latin1');
  if (text.includes('-----BEGIN CERTIFICATE-----')) return text;
  try {
    return new X509Certificate(buf).toString();
  } catch (e) {
    fail(`${where} is not a DER or PEM certificate (${e.message})`);
  }
}

// ------------------------------------------------------------------ CMS and PKCS#12 (openssl)
function openssl(args, opts = {}) {
  try {
    return execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });
  } catch (e) {
    const err = (e.stderr ? e.stderr.toString() : e.message).trim().split('\n').slice(0, 4).join(' | ');
    throw new ProfileError(`openssl ${args[0]} ${args[1] ?? ''} failed: ${err}`);
  }
}

/**
 * Verify the CMS signature of a signed profile against caFile (a Mac's check; -purpose any as
 * macvpn's README says) and return { plist: Buffer, signer: PEM of the signer certificate }.
 */
export function verifySignedProfile(profileFile, caFile) {
  const dir = mkdtempSync(join(tmpdir(), 'p2s-'));
  try {
    const out = join(dir, 'profile.plist');
    const signer = join(dir, 'signer.pem');
    openssl(['cms', '-verify', '-inform', 'DER', '-in', profileFile, '-CAfile', caFile, '-purpose', 'any',
      '-out', out, '-signer', signer]);
    return { plist: readFileSync(out), signer: readFileSync(signer, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Open a PKCS#12 as a Mac would have to: with its Password, in the legacy form Apple imports
 * (PBE-SHA1-3DES key bag, SHA-1 MAC; openssl 3 needs -legacy for the RC2 certificate bag).
 * Returns { keyPem, certs: [PEM...], info: {keyBag, certBag, mac} }.
 */
export function openPkcs12(p12, password) {
  const dir = mkdtempSync(join(tmpdir(), 'p2s-'));
  try {
    const file = join(dir, 'id.p12');
    writeFileSync(file, p12, { mode: 0o600 });
    const env = { ...process.env, P2S_PW: password };
    // -info writes the bag and MAC algorithms to stderr
    const infoText = spawnSync('openssl', ['pkcs12', '-legacy', '-in', file, '-passin', 'env:P2S_PW', '-info', '-noout'],
      { env, encoding: 'utf8' }).stderr ?? '';
    const mac = /MAC: *([^,\n]+)/.exec(infoText)?.[1]?.trim() ?? 'none';
    const keyBag = /Shrouded Keybag: *([^,\n]+)/.exec(infoText)?.[1]?.trim() ?? 'none';
    const certBag = /PKCS7 Encrypted data: *([^,\n]+)/.exec(infoText)?.[1]?.trim()
      ?? (/PKCS7 Data/.test(infoText) ? 'none (unencrypted)' : 'none');
    const keyPem = openssl(['pkcs12', '-legacy', '-in', file, '-passin', 'env:P2S_PW', '-nocerts', '-nodes'], { env }).toString();
    const certText = openssl(['pkcs12', '-legacy', '-in', file, '-passin', 'env:P2S_PW', '-nokeys'], { env }).toString();
    const certs = certText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPem)) fail('the PKCS#12 holds no private key');
    return { keyPem: keyPem.slice(keyPem.search(/-----BEGIN [A-Z ]*PRIVATE KEY-----/)), certs, info: { keyBag, certBag, mac } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
// Apple imports PKCS#12 only in the legacy form (docs/iked.md §4.7): check it like a Mac would.
const APPLE_KEYBAG = /pbeWithSHA1And3-KeyTripleDES-CBC/i;
const APPLE_MAC = /^sha1\b/i;

// ------------------------------------------------------------------ the conversion
/**
 * profile: the parsed Configuration plist (object).
 * opts: { name: connection name (default from the VPN payload), remoteAddrs: override of
 *         RemoteAddress (the lab keeps RemoteAddress and resolves it with /etc/hosts) }
 * Returns { conf: swanctl.conf text, files: { 'x509/..': PEM, ... }, summary, warnings (what a Mac
 * would likely get wrong), notes (informational) }.
 */
export function profileToSwanctl(profile, opts = {}) {
  const warnings = []; const notes = [];
  if (profile?.PayloadType !== 'Configuration') fail('top-level PayloadType is not "Configuration"');
  const content = profile.PayloadContent;
  if (!Array.isArray(content)) fail('top-level PayloadContent is not an array');
  const vpns = content.filter((p) => p?.PayloadType === 'com.apple.vpn.managed' && p.VPNType === 'IKEv2');
  if (vpns.length !== 1) fail(`expected exactly one com.apple.vpn.managed payload with VPNType IKEv2, found ${vpns.length}`);
  const vpn = vpns[0];
  const ikev2 = vpn.IKEv2;
  if (!ikev2 || typeof ikev2 !== 'object') fail('the VPN payload has no IKEv2 dictionary');
  const name = (opts.name ?? 'mac').replace(/[^A-Za-z0-9_-]/g, '_');

  // trust: every com.apple.security.root payload
  const roots = content.filter((p) => p?.PayloadType === 'com.apple.security.root')
    .map((p, i) => derOrPemToPem(toBuffer(p.PayloadContent, `com.apple.security.root[${i}].PayloadContent`), `com.apple.security.root[${i}]`));
  if (roots.length === 0) fail('no com.apple.security.root payload: the Mac could not verify the server certificate');
  const files = {};
  const rootNames = roots.map((pem, i) => {
    const f = `${name}-root${roots.length > 1 ? i + 1 : ''}.pem`;
    files[`x509ca/${f}`] = pem;
    return f;
  });
  const rootCns = roots.map((pem) => /CN=([^\n,]+)/.exec(new X509Certificate(pem).subject)?.[1] ?? '');
  if (ikev2.ServerCertificateIssuerCommonName !== undefined && !rootCns.includes(ikev2.ServerCertificateIssuerCommonName)) {
    warnings.push(`ServerCertificateIssuerCommonName "${ikev2.ServerCertificateIssuerCommonName}" is not the CN of a root payload (${rootCns.join(', ')})`);
  }
  if (ikev2.ServerCertificateCommonName !== undefined) {
    warnings.push('ServerCertificateCommonName is set: the Mac checks the server certificate CN instead of RemoteIdentifier; the lab checks RemoteIdentifier');
  }

  const remoteAddress = ikev2.RemoteAddress;
  if (typeof remoteAddress !== 'string' || remoteAddress === '') fail('IKEv2.RemoteAddress is missing');
  const remoteId = appleIdentity(ikev2.RemoteIdentifier, 'IKEv2.RemoteIdentifier');
  const localId = appleIdentity(ikev2.LocalIdentifier, 'IKEv2.LocalIdentifier');

  const ikeSa = resolveSa(ikev2.IKESecurityAssociationParameters, undefined);
  const childSa = resolveSa(ikev2.ChildSecurityAssociationParameters, ikev2.IKESecurityAssociationParameters);
  const pfs = flag(ikev2.EnablePFS);
  const prop = proposals(ikeSa, childSa, pfs);

  // authentication
  const method = ikev2.AuthenticationMethod ?? 'SharedSecret';
  const xauth = flag(ikev2.ExtendedAuthEnabled);
  let local; const secrets = [];
  let auth;
  if (method === 'Certificate') {
    if (xauth) fail('AuthenticationMethod Certificate with ExtendedAuthEnabled 1 (certificate + EAP) is not supported by iked');
    const uuid = ikev2.PayloadCertificateUUID;
    if (typeof uuid !== 'string') fail('IKEv2.PayloadCertificateUUID is missing (AuthenticationMethod Certificate)');
    const p12p = content.find((p) => p?.PayloadUUID === uuid);
    if (!p12p) fail(`no payload has PayloadUUID ${uuid} (IKEv2.PayloadCertificateUUID)`);
    if (p12p.PayloadType !== 'com.apple.security.pkcs12') fail(`payload ${uuid} is ${p12p.PayloadType}, not com.apple.security.pkcs12`);
    if (typeof p12p.Password !== 'string') fail('the com.apple.security.pkcs12 payload has no Password (the Mac would ask the user; the lab cannot)');
    const id = openPkcs12(toBuffer(p12p.PayloadContent, 'com.apple.security.pkcs12.PayloadContent'), p12p.Password);
    if (!APPLE_KEYBAG.test(id.info.keyBag)) fail(`PKCS#12 key bag is ${id.info.keyBag}: Macs import only pbeWithSHA1And3-KeyTripleDES-CBC (openssl pkcs12 -export -legacy)`);
    if (!APPLE_MAC.test(id.info.mac)) fail(`PKCS#12 MAC is ${id.info.mac}: Macs need sha1`);
    const key = createPrivateKey(id.keyPem);
    const leaf = id.certs.map((c) => new X509Certificate(c)).find((c) => c.checkPrivateKey(key));
    if (!leaf) fail('no certificate in the PKCS#12 matches its private key');
    // Certificate type must match the key, or the Mac signs AUTH with the wrong method.
    const ctype = ikev2.CertificateType ?? 'RSA';
    const kt = key.asymmetricKeyType; const curve = key.asymmetricKeyDetails?.namedCurve;
    const actual = kt === 'rsa' ? 'RSA' : kt === 'rsa-pss' ? 'RSA-PSS'
      : kt === 'ec' ? ({ prime256v1: 'ECDSA256', secp384r1: 'ECDSA384', secp521r1: 'ECDSA521' }[curve] ?? `EC ${curve}`) : kt;
    if (!(ctype === actual || (ctype === 'RSA-PSS' && actual === 'RSA'))) {
      fail(`IKEv2.CertificateType is ${ctype} but the PKCS#12 key is ${actual}`);
    }
    files[`x509/${name}.crt`] = leaf.toString();
    files[`private/${name}.key`] = id.keyPem;
    // other certificates in the bag: intermediates only; a Mac does not trust a CA from a PKCS#12
    id.certs.map((c) => new X509Certificate(c)).filter((c) => c !== leaf && c.fingerprint256 !== leaf.fingerprint256)
      .forEach((c, i) => {
        if (c.subject === c.issuer) notes.push(`PKCS#12 also holds the self-signed ${c.subject.replace(/\n/g, ', ')}: ignored (not a trust anchor on a Mac)`);
        else files[`x509/${name}-chain${i + 1}.crt`] = c.toString();
      });
    const san = leaf.subjectAltName ?? '';
    const bare = localId.replace(/^[a-z0-9]+:/, '');
    if (!san.split(', ').some((s) => s.replace(/^[^:]+:/, '') === bare)) {
      warnings.push(`LocalIdentifier ${bare} is not a subjectAltName of the user certificate (${san || 'none'}): the router should refuse it`);
    }
    auth = { method: 'certificate', certificateType: ctype, key: actual, subject: leaf.subject.replace(/\n/g, ', '), san, p12: id.info };
    local = [`auth = pubkey`, `certs = ${name}.crt`, `id = ${str(localId)}`];
  } else if (method === 'None' && xauth) {
    const user = ikev2.AuthName;
    if (typeof user !== 'string' || user === '') fail('IKEv2.AuthName is missing (EAP)');
    if (typeof ikev2.AuthPassword !== 'string') fail('IKEv2.AuthPassword is missing: the Mac would ask the user; the lab cannot');
    if (/["\\\n\r]/.test(user)) fail(`IKEv2.AuthName "${user}" contains a quote, backslash or newline`);
    local = [`auth = eap-mschapv2`, `id = ${str(localId)}`, `eap_id = ${str(user)}`];
    secrets.push(`eap-${name} {`, `    id = ${str(user)}`, `    secret = ${hexSecret(ikev2.AuthPassword)}`, `}`);
    auth = { method: 'eap-mschapv2', user };
  } else if (method === 'SharedSecret' || method === 'None') {
    const secret = ikev2.SharedSecret;
    if (typeof secret !== 'string') fail(`AuthenticationMethod ${method}${method === 'None' ? ' without ExtendedAuthEnabled' : ''} needs IKEv2.SharedSecret`);
    local = [`auth = psk`, `id = ${str(localId)}`];
    secrets.push(`ike-${name} {`, `    id-local = ${str(localId)}`, `    id-remote = ${str(remoteId)}`, `    secret = ${hexSecret(secret)}`, `}`);
    auth = { method: 'psk' };
  } else {
    fail(`IKEv2.AuthenticationMethod "${method}" is not Certificate, None or SharedSecret`);
  }
  const remote = method === 'SharedSecret' || (method === 'None' && !xauth)
    ? [`auth = psk`, `id = ${str(remoteId)}`]
    : [`auth = pubkey`, `id = ${str(remoteId)}`, `cacerts = ${rootNames.join(', ')}`];

  const dpd = ikev2.DeadPeerDetectionRate ?? 'Medium';
  if (DPD_SECONDS[dpd] === undefined) fail(`IKEv2.DeadPeerDetectionRate "${dpd}" is not None, Low, Medium or High`);
  const fullTunnel = flag(ikev2.IncludeAllNetworks) || !flag(ikev2.EnforceRoutes);
  const ind = (lines, n) => lines.map((l) => ' '.repeat(n) + l).join('\n');
  const conn = [
    'version = 2',
    `remote_addrs = ${opts.remoteAddrs ?? remoteAddress}`,
    'vips = 0.0.0.0',
    `proposals = ${prop.ike}`,
    `rekey_time = ${ikeSa.LifeTimeInMinutes}m`,
    `mobike = ${flag(ikev2.DisableMOBIKE) ? 'no' : 'yes'}`,
    `dpd_delay = ${DPD_SECONDS[dpd]}s`,
    'fragmentation = yes',
    'send_certreq = yes',
  ];
  const conf = [
    `# generated by lab/profile-to-swanctl.mjs from ${vpn.PayloadIdentifier ?? 'the VPN payload'}; do not edit`,
    'connections {',
    `    ${name} {`,
    ind(conn, 8),
    '        local {',
    ind(local, 12),
    '        }',
    '        remote {',
    ind(remote, 12),
    '        }',
    '        children {',
    `            ${name} {`,
    ind([`remote_ts = ${fullTunnel ? '0.0.0.0/0' : 'dynamic'}`, `esp_proposals = ${prop.esp}`,
      `rekey_time = ${childSa.LifeTimeInMinutes}m`], 16),
    '            }',
    '        }',
    '    }',
    '}',
    'secrets {',
    ind(secrets, 4),
    '}',
    '',
  ].join('\n');
  const summary = {
    name, remoteAddress, remoteId, localId, auth,
    ike: ikeSa, child: childSa, enablePfs: pfs, proposals: prop,
    roots: rootCns, fullTunnel, mobike: !flag(ikev2.DisableMOBIKE),
  };
  return { conf, files, summary, warnings, notes };
}

/** Write a profileToSwanctl() result as a swanctl directory (private keys 0600). */
export function writeSwanctlDir(result, dir) {
  for (const sub of ['x509', 'x509ca', 'private']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'swanctl.conf'), result.conf, { mode: 0o600 });
  for (const [rel, text] of Object.entries(result.files)) {
    writeFileSync(join(dir, rel), text, { mode: rel.startsWith('private/') ? 0o600 : 0o644 });
  }
}

/** The whole Mac side: signed profile file + the CA to verify it -> swanctl dir. */
export function convertProfileFile(profileFile, { ca, name, out, unsigned = false, remoteAddrs } = {}) {
  let plistBytes; let signer;
  if (unsigned) plistBytes = readFileSync(profileFile);
  else {
    if (!ca) fail('no CA to verify the profile signature with (--ca)');
    ({ plist: plistBytes, signer } = verifySignedProfile(profileFile, ca));
  }
  let profile;
  try {
    profile = parsePlist(plistBytes.toString('utf8'));
  } catch (e) {
    fail(`the signed content is not an XML plist: ${e.message}`);
  }
  const result = profileToSwanctl(profile, { name, remoteAddrs });
  if (signer) result.summary.signer = new X509Certificate(signer).subject.replace(/\n/g, ', ');
  if (out) writeSwanctlDir(result, out);
  return result;
}

// ------------------------------------------------------------------ CLI
if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const args = process.argv.slice(2);
  const o = {}; const rest = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--ca' || a === '--name' || a === '--out') o[a.slice(2)] = args[++i];
    else if (a === '--unsigned') o.unsigned = true;
    else if (a === '-h' || a === '--help') { console.log('usage: profile-to-swanctl.mjs --ca CA.pem [--name CONN] [--out DIR] [--unsigned] PROFILE'); process.exit(0); }
    else rest.push(a);
  }
  if (rest.length !== 1) { console.error('usage: profile-to-swanctl.mjs --ca CA.pem [--name CONN] [--out DIR] [--unsigned] PROFILE'); process.exit(2); }
  try {
    const r = convertProfileFile(rest[0], o);
    console.log(JSON.stringify({ summary: r.summary, warnings: r.warnings }, null, 2));
    if (!o.out) process.stdout.write(r.conf);
  } catch (e) {
    if (e instanceof ProfileError) { console.error(`profile-to-swanctl: error: ${e.message}`); process.exit(1); }
    throw e;
  }
}
