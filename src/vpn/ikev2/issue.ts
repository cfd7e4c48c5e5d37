/**
 * Keeps the IKEv2 PKI in step with the site (run on init, on every user change and by build):
 * creates the VPN CA and iked's certificate when the site has none, issues a certificate and a
 * PKCS#12 identity to every certificate user who has none (or asked for a new one), revokes the
 * certificates of removed and rotated users and re-signs the CRL. Pure: keys, randomness and
 * time come from Tools; the result is files for src/io to write.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { Settings } from '../../site/types.js';
import type { StateChange, StateFiles, Tools } from '../vpn-type.js';
import { MacvpnError } from '../../errors.js';
import { MODE_PUBLIC, MODE_SECRET, type OutputFile } from '../../plan/output-file.js';
import { caPermitsDns, issueServerCert, jwkPkcs8Der, jwkSpkiDer, loadIssuer, makeCrl, makeVpnCa, pem, pkcs8Der, type CrlEntry, type Issuer } from './pki/index.js';
import { ISSUE_TASK, issueIdentitiesWith, serial, type IdentityBatch, type IdentityRequest, type IssuedIdentity } from './issue-identity.js';
import { CA_CERT_PEM, CA_KEY_PEM, CRL_PEM, REVOKED_JSON, SERVER_CERT_PEM, SERVER_KEY_PEM, userCertPem, userP12 } from './files.js';
import { certInfo, certNotAfter, hasP12, ikev2State, pemDer, privateKeyOf, type Ikev2State, type Pem, type Revoked, type RevokedList } from './state.js';
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

const pkcs8Pem = (der: Uint8Array) => pem('PRIVATE KEY', der);
/** Below this many identities the type issues them itself: a chunk for each thread is not worth it. */
const PARALLEL_MIN = 64;
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

/** Up to this many identities issued in one run get a line each; beyond, the first few and a summary. */
const ISSUED_NOTES_MAX = 10;
const ISSUED_NOTES_FIRST = 3;

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
    const jwk = tools.newKey('ecdsa');
    caKey = createPrivateKey({ key: jwk, format: 'jwk' });
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
    files.push({ path: CA_KEY_PEM, contents: pkcs8Pem(jwkPkcs8Der(jwk)), mode: MODE_SECRET, secret: true }, { path: CA_CERT_PEM, contents: certPem(caCertDer), mode: MODE_PUBLIC });
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
    const fresh = s.serverKeyPem === undefined || caNew ? tools.newKey('rsa') : undefined;
    const publicKey = fresh ? jwkSpkiDer(fresh) : createPublicKey(privateKeyOf(s.serverKeyPem!));
    const der = issueServerCert({ issuer, publicKey, serial: serial(tools), hostName: after.server.toLowerCase(), ...validity(LEAF_DAYS) });
    if (fresh) files.push({ path: SERVER_KEY_PEM, contents: pkcs8Pem(jwkPkcs8Der(fresh)), mode: MODE_SECRET, secret: true });
    files.push({ path: SERVER_CERT_PEM, contents: certPem(der), mode: MODE_PUBLIC });
    notes.push(`issued the server certificate for ${after.server} (valid until ${day(validity(LEAF_DAYS).notAfter)})`);
  }

  // 3. Users (certificate mode): revoke what was removed or replaced, issue what is missing.
  // A new CA starts a new list: the old CA's serials mean nothing under it.
  const revoked: Revoked[] = caNew ? [] : [...s.revoked.entries];
  let listChanged = false;
  const revoke = (name: string, pem: Pem | undefined, reason: Revoked['reason']) => {
    const info = certInfo(pem);
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
      revoke(u.name, s.users.get(u.name)?.cert, 'cessationOfOperation');
      remove.push(userCertPem(u.name), userP12(u.name));
    }
  }
  // The new certificates' files as bytes (state.ts UserIdentity.cert: why not text).
  const issued = new Map<string, Uint8Array>();
  if (certMode) {
    const rotatedSet = new Set(change.rotated);
    const due: Array<{ name: string; revoke?: Uint8Array; request: IdentityRequest }> = [];
    for (const user of after.users) {
      const had = s.users.get(user.name);
      const expiring = (certNotAfter(had?.cert)?.getTime() ?? 0) < renewBy;
      const rotated = rotatedSet.has(user.name);
      if (had?.cert !== undefined && hasP12(had) && !rotated && !caNew && !expiring) continue;
      const password = change.passwords.get(user.name);
      if (password === undefined) throw new MacvpnError(`user "${user.name}" has no password for the identity file`, ['set one with "macvpn user rotate NAME"']);
      due.push({ name: user.name, ...((rotated || expiring) && !caNew && { revoke: had?.cert }), request: { identity: userIdentity(after, user), password } });
    }
    const batch: IdentityBatch = { caCertDer, caKeyPkcs8: pkcs8Der(caKey), userKey: v.userKey, ...validity(LEAF_DAYS) };
    const requests = due.map((d) => d.request);
    let made: IssuedIdentity[];
    if (tools.parallel && due.length >= PARALLEL_MIN) {
      // Chunks on the worker threads, each thread with its own keys and randomness.
      made = tools.parallel(ISSUE_TASK, batch, requests) as IssuedIdentity[];
    } else {
      made = [];
      for (let i = 0; i < requests.length; i += 32) {
        tools.progress?.(i, due.length);
        made.push(...issueIdentitiesWith(issuer, batch, requests.slice(i, i + 32), tools));
      }
      if (due.length > 0) tools.progress?.(due.length, due.length);
    }
    due.forEach((d, i) => {
      if (d.revoke !== undefined) revoke(d.name, d.revoke, 'superseded');
      const { certDer, p12, serial: number } = made[i]!;
      const certFile = Buffer.from(certPem(certDer), 'latin1');
      issued.set(d.name, certFile);
      files.push({ path: userCertPem(d.name), contents: certFile, mode: MODE_PUBLIC }, { path: userP12(d.name), contents: p12, mode: MODE_SECRET, secret: true });
      if (due.length <= ISSUED_NOTES_MAX || i < ISSUED_NOTES_FIRST) notes.push(`issued a certificate to ${d.name} as ${d.request.identity} (serial ${number}, valid until ${day(batch.notAfter)})`);
    });
    // Thousands of lines (a first build, user add --from) would bury the rest of the output.
    if (due.length > ISSUED_NOTES_MAX) {
      notes.push(`issued certificates to ${due.length - ISSUED_NOTES_FIRST} more users (${due.length} in all), each valid until ${day(batch.notAfter)}; their serials are in ${userCertPem('NAME')}`);
    }
  }

  // 3b. Paused users (macvpn user disable): their current certificate is on hold in the CRL
  // (certificateHold, RFC 5280 §5.3.1, the one reversible reason), and comes off it on enable.
  if (certMode) {
    // Only a disabled user, or any user while some certificate is on hold, needs its serial: the
    // other certificates are not parsed (5,000 of them cost ~0.2 s).
    const holds = revoked.some((r) => r.reason === 'certificateHold');
    for (const user of after.users) {
      if (!user.disabled && !holds) continue;
      const info = certInfo(issued.get(user.name) ?? s.users.get(user.name)?.cert);
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
