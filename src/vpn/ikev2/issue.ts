/**
 * Keeps the IKEv2 PKI in step with the site (run on init, on every user change and by build):
 * creates the VPN CA and iked's certificate when the site has none, issues a certificate and a
 * PKCS#12 identity to every certificate user who has none (or asked for a new one), revokes the
 * certificates of removed and rotated users and re-signs the CRL. Pure: keys, randomness and
 * time come from Tools; the result is files for src/io to write.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Settings } from '../../site/types.js';
import type { StateChange, StateFiles, Tools } from '../vpn-type.js';
import { MacvpnError } from '../../errors.js';
import { MODE_PUBLIC, MODE_SECRET, type OutputFile } from '../../plan/output-file.js';
import { caPermitsDns, issueServerCert, issueUserCert, loadIssuer, makeCrl, makePkcs12, makeVpnCa, pem, pkcs8Der, type CrlEntry, type Issuer } from './pki/index.js';
import { CA_CERT_PEM, CA_KEY_PEM, CRL_PEM, REVOKED_JSON, SERVER_CERT_PEM, SERVER_KEY_PEM, userCertPem, userP12 } from './files.js';
import { certInfo, ikev2State, pemDer, privateKeyOf, type Ikev2State, type Revoked, type RevokedList } from './state.js';
import { ikev2Settings } from './settings.js';
import { userIdentity } from './identity.js';
import { vpnDisplayName } from '../../apple/display-name.js';

const DAY = 86_400_000;
/** CA lifetime: ten years, like ikectl's 4500-day CA (iked.md §1, ikeca.c). */
export const CA_DAYS = 3650;
/**
 * Leaf lifetime: 825 days, Apple's limit for TLS certificates from private CAs (support.apple.com
 * HT210176; INFERRED to matter for IKEv2 too, which evaluates the server with the same trust code).
 */
export const LEAF_DAYS = 825;
/** The CRL must never lapse while certificates it could revoke are valid: as long as a leaf. */
export const CRL_DAYS = LEAF_DAYS;
/** Backdated against clock skew between this machine, the router and the Macs. */
const SKEW = 3_600_000;

/** A positive serial of 16 random bytes (RFC 5280 §4.1.2.2; CA/B Forum asks for 64+ random bits). */
function serial(tools: Tools): Uint8Array {
  const s = Uint8Array.from(tools.random(16));
  s[0] = (s[0]! & 0x7f) | 0x01;
  return s;
}

const pkcs8Pem = (key: KeyObject) => pem('PRIVATE KEY', pkcs8Der(key));
const certPem = (der: Uint8Array) => pem('CERTIFICATE', der);

/** The CA's Common Name: what ServerCertificateIssuerCommonName names in every profile. */
export const caCommonName = (settings: Pick<Settings, 'organization'>) => `${vpnDisplayName(settings.organization)} CA`;

function revokedFile(list: RevokedList): OutputFile {
  return { path: REVOKED_JSON, contents: JSON.stringify(list, null, 2) + '\n', mode: MODE_PUBLIC };
}

function crlFile(issuer: Issuer, list: RevokedList): OutputFile {
  const entries: CrlEntry[] = list.entries.map((e) => ({ serial: Buffer.from(e.serial, 'hex'), revokedAt: new Date(e.revokedAt), reason: e.reason }));
  const nextUpdate = new Date(list.nextUpdate!);
  const der = makeCrl({ issuer, entries, thisUpdate: new Date(nextUpdate.getTime() - CRL_DAYS * DAY - SKEW), nextUpdate, crlNumber: list.crlNumber });
  return { path: CRL_PEM, contents: pem('X509 CRL', der), mode: MODE_PUBLIC };
}

/** Within this many days of its end a certificate is renewed by the next build (and `check` warns). */
export const RENEW_DAYS = 30;

export function ikev2StateFiles(change: StateChange, tools: Tools): StateFiles {
  const { after } = change;
  const v = ikev2Settings(after);
  const s: Ikev2State = change.before ? ikev2State(change.before) : { revoked: { crlNumber: 0, entries: [] }, users: new Map() };
  // A site that was L2TP until macvpn.yaml said ikev2 has no IKEv2 state yet: start from nothing.
  const before = change.before && change.before.vpn === after.vpn ? change.before : undefined;
  const files: OutputFile[] = [];
  const remove: string[] = [];
  const notes: string[] = [];
  const now = tools.now;
  const validity = (days: number) => ({ notBefore: new Date(now.getTime() - SKEW), notAfter: new Date(now.getTime() + days * DAY) });

  // 1. The VPN CA: both halves or neither (a lost key cannot be re-made without new profiles for all).
  // Its name constraints name the server, so a new server name needs a new CA (and certificates).
  let caKey: KeyObject;
  let caCertDer: Uint8Array;
  const renamed = s.caCertPem !== undefined && !caPermitsDns(pemDer(s.caCertPem), after.server);
  if (renamed) notes.push(`the server is now ${after.server}, outside the VPN CA's names: making a new VPN CA, so every user needs the new profile`);
  if ((s.caKeyPem === undefined && s.caCertPem === undefined) || renamed) {
    caKey = tools.newKey('ecdsa').privateKey;
    caCertDer = makeVpnCa({
      commonName: caCommonName(after),
      organization: after.organization,
      // RFC 5280 §4.2.1.10: `vpn.example.com` permits that name and every name below it, so the
      // CA can certify the server and the users' identities and nothing else.
      permittedDns: [after.server.toLowerCase()],
      key: caKey,
      serial: serial(tools),
      ...validity(CA_DAYS),
    });
    files.push({ path: CA_KEY_PEM, contents: pkcs8Pem(caKey), mode: MODE_SECRET, secret: true }, { path: CA_CERT_PEM, contents: certPem(caCertDer), mode: MODE_PUBLIC });
    notes.push(`made the VPN CA "${caCommonName(after)}" (valid until ${day(validity(CA_DAYS).notAfter)})`);
  } else if (s.caKeyPem === undefined || s.caCertPem === undefined) {
    throw new MacvpnError(`${s.caKeyPem === undefined ? CA_KEY_PEM : CA_CERT_PEM} is missing while ${s.caKeyPem === undefined ? CA_CERT_PEM : CA_KEY_PEM} exists`, ['restore it from a backup (a new CA means new profiles for every user)']);
  } else {
    caKey = privateKeyOf(s.caKeyPem);
    caCertDer = pemDer(s.caCertPem);
  }
  const issuer = loadIssuer(caCertDer, caKey);
  const caNew = files.length > 0;

  // 2. iked's certificate: DNS SAN = server = srcid = RemoteIdentifier, serverAuth (iked.md §4.1).
  const server = certInfo(s.serverCertPem);
  const renewBy = now.getTime() + RENEW_DAYS * DAY;
  if (caNew || !server || !server.dnsNames.includes(after.server.toLowerCase()) || server.notAfter.getTime() < renewBy) {
    // RSA-2048: iked's EAP responder proves itself with RSA (iked.conf.5 "eap"; iked.md open question 3).
    const key = s.serverKeyPem !== undefined && !caNew ? privateKeyOf(s.serverKeyPem) : tools.newKey('rsa').privateKey;
    const der = issueServerCert({ issuer, publicKey: createPublicKey(key), serial: serial(tools), hostName: after.server.toLowerCase(), ...validity(LEAF_DAYS) });
    if (s.serverKeyPem === undefined || caNew) files.push({ path: SERVER_KEY_PEM, contents: pkcs8Pem(key), mode: MODE_SECRET, secret: true });
    files.push({ path: SERVER_CERT_PEM, contents: certPem(der), mode: MODE_PUBLIC });
    notes.push(`issued the server certificate for ${after.server} (valid until ${day(validity(LEAF_DAYS).notAfter)})`);
  }

  // 3. Users (certificate mode): revoke what was removed or replaced, issue what is missing.
  // A new CA starts a new list: the old CA's serials mean nothing under it.
  const revoked: Revoked[] = caNew ? [] : [...s.revoked.entries];
  let listChanged = false;
  const revoke = (name: string, pemText: string | undefined, reason: Revoked['reason']) => {
    const info = certInfo(pemText);
    if (!info) return;
    const held = revoked.find((r) => r.serial === info.serial);
    // A certificate on hold that is now revoked for good keeps its entry with the final reason.
    if (held?.reason === 'certificateHold') {
      held.reason = reason;
      listChanged = true;
    }
    if (held) return;
    revoked.push({ serial: info.serial, name, revokedAt: now.toISOString(), reason });
    notes.push(`revoked the certificate of ${name} (serial ${info.serial})`);
  };
  const certMode = v.auth === 'certificate';
  const kept = new Set(after.users.map((u) => u.name));
  if (before && !caNew) {
    for (const u of before.users) {
      if (kept.has(u.name)) continue;
      revoke(u.name, s.users.get(u.name)?.certPem, 'cessationOfOperation');
      remove.push(userCertPem(u.name), userP12(u.name));
    }
  }
  const issued = new Map<string, string>();
  if (certMode) {
    const rotatedSet = new Set(change.rotated);
    const due = after.users.filter((user) => {
      const had = s.users.get(user.name);
      const expiring = (certInfo(had?.certPem)?.notAfter.getTime() ?? 0) < renewBy;
      return !(had?.certPem !== undefined && had.p12 !== undefined && !rotatedSet.has(user.name) && !caNew && !expiring);
    });
    let started = 0;
    for (const user of due) {
      if ((started++ & 31) === 0) tools.progress?.(started - 1, due.length);
      const had = s.users.get(user.name);
      const rotated = rotatedSet.has(user.name);
      const expiring = (certInfo(had?.certPem)?.notAfter.getTime() ?? 0) < renewBy;
      if ((rotated || expiring) && !caNew) revoke(user.name, had?.certPem, 'superseded');
      const password = change.passwords.get(user.name);
      if (password === undefined) throw new MacvpnError(`user "${user.name}" has no password for the identity file`, ['set one with "macvpn user rotate NAME"']);
      const pair = tools.newKey(v.userKey);
      const der = issueUserCert({ issuer, publicKey: pair.publicKey, serial: serial(tools), identity: userIdentity(after, user), ...validity(LEAF_DAYS) });
      const p12 = makePkcs12({
        keyPkcs8Der: pkcs8Der(pair.privateKey),
        certDer: der,
        caCertsDer: [caCertDer],
        password,
        friendlyName: userIdentity(after, user),
        // One salt for both bags: the derivation is then shared (3 of 7 KDF runs saved; the certificates
        // are public, pkcs12.ts), a distinct one for the MAC.
        salts: (() => { const bag = tools.random(8); return { key: bag, cert: bag, mac: tools.random(8) }; })(),
      });
      issued.set(user.name, certPem(der));
      files.push({ path: userCertPem(user.name), contents: certPem(der), mode: MODE_PUBLIC }, { path: userP12(user.name), contents: p12, mode: MODE_SECRET, secret: true });
      notes.push(`issued a certificate to ${user.name} as ${userIdentity(after, user)} (serial ${certInfo(certPem(der))!.serial}, valid until ${day(validity(LEAF_DAYS).notAfter)})`);
    }
    if (due.length > 0) tools.progress?.(due.length, due.length);
  }

  // 3b. Paused users (macvpn user disable): their current certificate is on hold in the CRL
  // (certificateHold, RFC 5280 §5.3.1, the one reversible reason), and comes off it on enable.
  if (certMode) {
    for (const user of after.users) {
      const info = certInfo(issued.get(user.name) ?? s.users.get(user.name)?.certPem);
      if (!info) continue;
      const at = revoked.findIndex((r) => r.serial === info.serial);
      if (user.disabled && at < 0) {
        revoked.push({ serial: info.serial, name: user.name, revokedAt: now.toISOString(), reason: 'certificateHold' });
        notes.push(`put the certificate of ${user.name} on hold in the CRL (serial ${info.serial})`);
      } else if (!user.disabled && at >= 0 && revoked[at]!.reason === 'certificateHold') {
        revoked.splice(at, 1);
        listChanged = true;
        notes.push(`took the certificate of ${user.name} off hold (serial ${info.serial})`);
      }
    }
  }

  // 4. The CRL: re-signed when something was revoked or it nears its nextUpdate (after which
  // iked would refuse every certificate), made empty when there is none yet.
  const lapsing = s.revoked.nextUpdate === undefined || Date.parse(s.revoked.nextUpdate) < renewBy;
  if (listChanged || revoked.length !== s.revoked.entries.length || (certMode && (caNew || s.crlPem === undefined || lapsing))) {
    const list: RevokedList = {
      crlNumber: s.revoked.crlNumber + 1,
      nextUpdate: new Date(now.getTime() + CRL_DAYS * DAY).toISOString(),
      entries: revoked,
    };
    files.push(crlFile(issuer, list), revokedFile(list));
  }
  return { files, remove, notes };
}

const day = (d: Date) => d.toISOString().slice(0, 10);
