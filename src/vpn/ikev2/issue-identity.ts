/**
 * One user's identity: a new key, its certificate from the VPN CA and the PKCS#12 that carries
 * both (with the CA) into the profile. Each user's is independent of every other's, so a build
 * that issues thousands hands them to worker threads in chunks (Tools.parallel, task
 * {@link ISSUE_TASK}); keys and randomness come from the Tools of the thread that runs it.
 */
import { createPrivateKey } from 'node:crypto';
import type { Tools, VpnTask } from '../vpn-type.js';
import { issueUserCert, jwkPkcs8Der, jwkSpkiDer, loadIssuer, makePkcs12Many, serialHex, type Issuer, type Pkcs12Spec } from './pki/index.js';

/** What every identity of one run shares. Plain data: it is posted to the worker threads. */
export interface IdentityBatch {
  caCertDer: Uint8Array;
  /** The CA's private key, PKCS#8 DER (the worker parses it once per chunk). */
  caKeyPkcs8: Uint8Array;
  userKey: 'ecdsa' | 'rsa';
  notBefore: Date;
  notAfter: Date;
}

/** One user's part: the IKE identity (certificate SAN and CN) and the PKCS#12 password. */
export interface IdentityRequest {
  identity: string;
  password: string;
}

export interface IssuedIdentity {
  certDer: Uint8Array;
  p12: Uint8Array;
  /** The certificate's serial as readCert gives it (for notes and the CRL). */
  serial: string;
}

/** The name of the task under VpnType.tasks. */
export const ISSUE_TASK = 'issueIdentities';

/** A positive serial of 16 random bytes (RFC 5280 §4.1.2.2; CA/B Forum asks for 64+ random bits). */
export function serial(tools: Tools): Uint8Array {
  const s = Uint8Array.from(tools.random(16));
  s[0] = (s[0]! & 0x7f) | 0x01;
  return s;
}

/**
 * Issues identities with an issuer already loaded. Randomness is drawn per user, in order: key,
 * serial, salts. The PKCS#12 files are made together (their KDF chains share SIMD lanes).
 */
export function issueIdentitiesWith(issuer: Issuer, batch: IdentityBatch, requests: readonly IdentityRequest[], tools: Tools): IssuedIdentity[] {
  const made = requests.map((req) => {
    const jwk = tools.newKey(batch.userKey);
    const s = serial(tools);
    const certDer = issueUserCert({ issuer, publicKey: jwkSpkiDer(jwk), serial: s, identity: req.identity, notBefore: batch.notBefore, notAfter: batch.notAfter });
    // One salt for both bags: the derivation is then shared (3 of 7 KDF runs saved; the
    // certificates are public, pkcs12.ts), a distinct one for the MAC.
    const bag = tools.random(8);
    const spec: Pkcs12Spec = {
      keyPkcs8Der: jwkPkcs8Der(jwk),
      certDer,
      caCertsDer: [batch.caCertDer],
      password: req.password,
      friendlyName: req.identity,
      salts: { key: bag, cert: bag, mac: tools.random(8) },
    };
    return { certDer, spec, serial: serialHex(s) };
  });
  const files = makePkcs12Many(made.map((m) => m.spec));
  return made.map((m, i) => ({ certDer: m.certDer, p12: files[i]!, serial: m.serial }));
}

/** The task run on each chunk (VpnTask): the issuer is loaded once per chunk. */
export const issueIdentities: VpnTask = (shared, inputs, tools) => {
  const batch = shared as IdentityBatch;
  const issuer = loadIssuer(batch.caCertDer, createPrivateKey({ key: Buffer.from(batch.caKeyPkcs8), format: 'der', type: 'pkcs8' }));
  return issueIdentitiesWith(issuer, batch, inputs as IdentityRequest[], tools);
};
