/**
 * IKEv2's state in the site: the VPN CA (key in secrets/, certificate in pki/), iked's own key
 * and certificate, the CRL with the list it is signed from, and per user (certificate mode) the
 * certificate (pki/users/) and the PKCS#12 identity (secrets/users/). Read through the injected
 * reader; checked against the settings without printing any secret.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { Problem, Settings, Site } from '../../site/types.js';
import type { ReadSiteFile, SiteFileThere } from '../vpn-type.js';
import { CA_CERT_PEM, CA_KEY_PEM, CRL_PEM, REVOKED_JSON, SERVER_CERT_PEM, SERVER_KEY_PEM, userCertPem, userP12 } from './files.js';
import { ikev2Settings } from './settings.js';
import { readCert, readKeyType, readNotAfter, type CertInfo, type KeyKind } from './pki/index.js';
import { bufferView } from '../../bytes.js';
import type { CrlReason } from './pki/index.js';

/** One revoked certificate as pki/revoked.json keeps it. */
export interface Revoked {
  serial: string;
  name: string;
  revokedAt: string;
  reason: CrlReason;
}

export interface RevokedList {
  crlNumber: number;
  /** When the current CRL lapses (ISO time): iked then refuses every certificate. */
  nextUpdate?: string;
  entries: Revoked[];
}

export interface UserIdentity {
  /**
   * The certificate file's bytes (PEM) as read, decoded only when its facts are asked
   * (certInfo, certNotAfter, certKeyType). Bytes, not text: a build holds 5,000 of them for its
   * whole run, and as strings they were young objects that survived, one cause of V8 doubling the
   * build thread's young generation (a first build of 5,000 users: 214-224 MB peak memory with
   * text, 203-210 MB with bytes; DESIGN.md §6 budget 200 MB).
   */
  cert?: Uint8Array;
  p12?: Uint8Array;
  /** The PKCS#12 file is there but was not read (loadState's `there`): completeIkev2State reads it. */
  p12Unread?: true;
}

/** The user has a PKCS#12, read or not. */
export const hasP12 = (id: UserIdentity | undefined): boolean => id?.p12 !== undefined || id?.p12Unread === true;

export interface Ikev2State {
  caKeyPem?: string;
  caCertPem?: string;
  serverKeyPem?: string;
  serverCertPem?: string;
  crlPem?: string;
  revoked: RevokedList;
  /** Certificate mode only; the users asked for when loading. */
  users: Map<string, UserIdentity>;
}

export const ikev2State = (site: Site): Ikev2State => site.secrets.vpn as Ikev2State;

// The site-wide PEM files (CA, server, CRL) as text.
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : bufferView(b).toString('utf8'));

/** PEM as text, or as the bytes of a file (PEM is ASCII). */
export type Pem = string | Uint8Array;

/**
 * DER of the first PEM block with `label`: the text between the first BEGIN line and the first
 * END line after it (what a lazy /BEGIN([\s\S]*?)END/ matches, without a RegExp per call: the
 * build reads one certificate per profile).
 */
export function pemDer(pem: Pem, label = 'CERTIFICATE'): Uint8Array {
  const text = typeof pem === 'string' ? pem : bufferView(pem);
  const begin = `-----BEGIN ${label}-----`;
  const from = text.indexOf(begin);
  const to = from < 0 ? -1 : text.indexOf(`-----END ${label}-----`, from + begin.length);
  if (to < 0) throw new RangeError(`no ${label} in PEM text`);
  const body = typeof text === 'string' ? text.slice(from + begin.length, to) : text.toString('latin1', from + begin.length, to);
  return Buffer.from(body, 'base64'); // node's base64 decoder skips the line breaks (Buffer docs: whitespace is ignored)
}

export const privateKeyOf = (pemText: string): KeyObject => createPrivateKey(pemText);

export function parseRevoked(bytes: Uint8Array | undefined): RevokedList | string {
  if (bytes === undefined) return { crlNumber: 0, entries: [] };
  try {
    const data = JSON.parse(Buffer.from(bytes).toString('utf8')) as RevokedList;
    if (typeof data.crlNumber !== 'number' || !Array.isArray(data.entries)) return 'is not {crlNumber, entries}';
    return data;
  } catch {
    return 'is not valid JSON';
  }
}

export function loadIkev2State(read: ReadSiteFile, settings: Settings, users?: readonly string[], there?: SiteFileThere): Ikev2State {
  const revoked = parseRevoked(read(REVOKED_JSON));
  const state: Ikev2State = {
    caKeyPem: text(read(CA_KEY_PEM)),
    caCertPem: text(read(CA_CERT_PEM)),
    serverKeyPem: text(read(SERVER_KEY_PEM)),
    serverCertPem: text(read(SERVER_CERT_PEM)),
    crlPem: text(read(CRL_PEM)),
    revoked: typeof revoked === 'string' ? { crlNumber: -1, entries: [] } : revoked,
    users: new Map(),
  };
  if (ikev2Settings(settings).auth === 'certificate') {
    // Names as a command was given them: user lookups ignore case (find-user.ts).
    const wanted = users === undefined ? undefined : new Set(users.map((n) => n.toLowerCase()));
    for (const u of settings.users) {
      if (wanted && !wanted.has(u.name.toLowerCase())) continue;
      const cert = read(userCertPem(u.name));
      // The certificate decides renewals; the PKCS#12 only goes into the profile.
      if (there) {
        state.users.set(u.name, { ...(cert !== undefined && { cert }), ...(there(userP12(u.name)) && { p12Unread: true as const }) });
        continue;
      }
      const p12 = read(userP12(u.name));
      state.users.set(u.name, { ...(cert !== undefined && { cert }), ...(p12 !== undefined && { p12 }) });
    }
  }
  return state;
}

/**
 * The state of `users` alone (as loadIkev2State gives it for a list of users), with the PKCS#12
 * files it left unread read now (VpnType.completeState), on the thread that builds their
 * profiles. A file gone meanwhile is missing, as on loading (the profile then says the user has
 * no certificate); one that is no longer a plain file is refused by the reader, with its error.
 */
export function completeIkev2State(state: Ikev2State, read: ReadSiteFile, users: readonly string[]): Ikev2State {
  const picked = pickIkev2State(state, users);
  for (const [name, id] of picked.users) {
    if (!id.p12Unread) continue;
    const { p12Unread: _unread, ...rest } = id;
    const p12 = read(userP12(name));
    picked.users.set(name, { ...rest, ...(p12 !== undefined && { p12 }) });
  }
  return picked;
}

/** The state of `users` alone (VpnType.pickState): what they have of it, read or not. */
export function pickIkev2State(state: Ikev2State, users: readonly string[]): Ikev2State {
  const ids = new Map<string, UserIdentity>();
  for (const name of users) {
    const id = state.users.get(name);
    if (id) ids.set(name, id);
  }
  return { ...state, users: ids };
}

/** `read` applied to the certificate in `pem`, or undefined when the PEM does not hold one. */
function fromCertPem<T>(pem: Pem | undefined, read: (der: Uint8Array) => T): T | undefined {
  if (pem === undefined) return undefined;
  try {
    return read(pemDer(pem));
  } catch {
    return undefined;
  }
}

/** The certificate's facts. */
export const certInfo = (pem: Pem | undefined): CertInfo | undefined => fromCertPem(pem, readCert);

/** When the certificate ends. */
export const certNotAfter = (pem: Pem | undefined): Date | undefined => fromCertPem(pem, readNotAfter);

/** The key type of a certificate (throws on a malformed one): its SPKI alone, not the whole readCert. */
export const certKeyType = (pem: Pem): KeyKind => readKeyType(pemDer(pem));

const BUILD_HINT = 'run "macvpn build", which issues what is missing';

/** Problems that stop a command: missing or broken PKI files (each names its file). */
export function checkIkev2State(settings: Settings, state: Ikev2State): Problem[] {
  const problems: Problem[] = [];
  const need = (value: unknown, file: string, what: string) => {
    if (value === undefined) problems.push({ path: file, message: `${what} is missing: ${BUILD_HINT}, or restore it from a backup` });
  };
  need(state.caKeyPem, CA_KEY_PEM, 'the VPN CA key');
  need(state.caCertPem, CA_CERT_PEM, 'the VPN CA certificate');
  need(state.serverKeyPem, SERVER_KEY_PEM, "the server's key");
  need(state.serverCertPem, SERVER_CERT_PEM, "the server's certificate");
  if (state.revoked.crlNumber < 0) problems.push({ path: REVOKED_JSON, message: 'is not valid: restore it from a backup' });
  const server = certInfo(state.serverCertPem);
  if (state.serverCertPem !== undefined && !server) problems.push({ path: SERVER_CERT_PEM, message: 'does not hold a certificate' });
  else if (server && !server.dnsNames.includes(settings.server.toLowerCase())) {
    problems.push({ path: SERVER_CERT_PEM, message: `is for ${server.dnsNames.join(', ')}, not for the server ${settings.server}: ${BUILD_HINT}` });
  }
  if (ikev2Settings(settings).auth === 'certificate') {
    need(state.crlPem, CRL_PEM, 'the certificate revocation list');
    for (const [name, id] of state.users) {
      need(id.cert, userCertPem(name), `the certificate of "${name}"`);
      need(hasP12(id) || undefined, userP12(name), `the identity (PKCS#12) of "${name}"`);
    }
  }
  return problems;
}

/** A PEM key with every base64 line replaced by `fill` characters (line breaks kept). */
const maskPem = (pemText: string | undefined, fill: string) =>
  pemText?.split('\n').map((l) => (l.startsWith('-----') || l === '' ? l : fill.repeat(l.length))).join('\n');

/** The state with its private keys masked (VpnType.maskState); identities stay (they reach no server file). */
export function maskIkev2State(state: Ikev2State, fill: string): Ikev2State {
  const caKeyPem = maskPem(state.caKeyPem, fill);
  const serverKeyPem = maskPem(state.serverKeyPem, fill);
  return { ...state, ...(caKeyPem !== undefined && { caKeyPem }), ...(serverKeyPem !== undefined && { serverKeyPem }) };
}
