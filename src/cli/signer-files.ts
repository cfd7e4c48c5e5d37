/**
 * The site's own signer, created by init: a self-signed site CA and a profile-signing certificate
 * under it (issue 3). Key generation is randomness, so it lives here in the CLI layer; the
 * certificates are built by src/signing/make-cert.ts and signed natively (two RSA signatures,
 * ~1 ms each; the two RSA-2048 key generations dominate init's time).
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { MODE_PUBLIC, MODE_SECRET, type OutputFile } from '../plan/output-file.js';
import type { Settings } from '../site/types.js';
import { certPem, makeCertificate, type NameSpec } from '../signing/make-cert.js';
import { OID } from '../signing/oids.js';
import { CA_CERT_FILE, CA_KEY_FILE, SIGNER_CERT_FILE, SIGNER_CHAIN_FILE, SIGNER_KEY_FILE } from '../io/site-paths.js';

const DAY = 86_400_000;
const CA_DAYS = 3653; // ~10 years
const SIGNER_DAYS = 1095; // ~3 years
/** Backdated so a Mac whose clock runs a little slow still sees a valid certificate. */
const SKEW = 3_600_000;
/** X.520 ub-common-name: 64 characters. */
const MAX_CN = 64;

function rsaKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** 16 random bytes, positive and without a leading zero (RFC 5280 §4.1.2.2). */
function serial(): Uint8Array {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40;
  return b;
}

function cn(organization: string, suffix: string): string {
  const org = organization.trim();
  if (!org) return suffix;
  const room = MAX_CN - suffix.length - 1;
  return `${[...org].slice(0, room).join('')} ${suffix}`;
}

const keyPem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }) as string;

export function siteSignerFiles(settings: Settings, now: Date): OutputFile[] {
  // X.520 ub-organization-name and ub-common-name are both 64 characters (RFC 5280 Appendix A).
  const org = [...settings.organization.trim()].slice(0, MAX_CN).join('') || undefined;
  const caName: NameSpec = { commonName: cn(settings.organization, 'macvpn CA'), organization: org };
  const signerName: NameSpec = { commonName: cn(settings.organization, 'profile signing'), organization: org };
  const ca = rsaKeyPair();
  const signer = rsaKeyPair();
  const notBefore = new Date(now.getTime() - SKEW);
  const caDer = makeCertificate({
    subject: caName, issuer: caName, serial: serial(), notBefore, notAfter: new Date(now.getTime() + CA_DAYS * DAY),
    publicKey: ca.publicKey, issuerPublicKey: ca.publicKey, issuerKey: ca.privateKey,
    ca: true, keyUsage: ['keyCertSign', 'cRLSign'],
  });
  const signerDer = makeCertificate({
    subject: signerName, issuer: caName, serial: serial(), notBefore, notAfter: new Date(now.getTime() + SIGNER_DAYS * DAY),
    publicKey: signer.publicKey, issuerPublicKey: ca.publicKey, issuerKey: ca.privateKey,
    // emailProtection lets `openssl cms -verify` pass without -purpose any (DESIGN.md §3)
    ca: false, keyUsage: ['digitalSignature'], extKeyUsage: [OID.emailProtection, OID.codeSigning],
  });
  return [
    { path: CA_KEY_FILE, contents: keyPem(ca.privateKey), mode: MODE_SECRET, secret: true },
    { path: SIGNER_KEY_FILE, contents: keyPem(signer.privateKey), mode: MODE_SECRET, secret: true },
    // certificates are public, but secrets/ holds only 0600 files (checkSecretModes)
    { path: SIGNER_CERT_FILE, contents: certPem(signerDer), mode: MODE_SECRET },
    { path: SIGNER_CHAIN_FILE, contents: certPem(caDer), mode: MODE_SECRET },
    { path: CA_CERT_FILE, contents: certPem(caDer), mode: MODE_PUBLIC },
  ];
}
