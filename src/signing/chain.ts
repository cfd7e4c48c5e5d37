/** Certificate summaries and chain building, shared by signer loading, `signer show` and verification. */
import { X509Certificate } from 'node:crypto';
import { certFields } from './cert-fields.js';

/** What a person needs to know about one certificate (no key material). */
export interface CertSummary {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** e.g. "RSA-2048", "ECDSA P-256". */
  keyType: string;
  fingerprint256: string;
}

const CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** "RSA-2048", "ECDSA P-256", or the node key type name for anything else. */
export function keyTypeOf(key: { asymmetricKeyType?: string; asymmetricKeyDetails?: { modulusLength?: number; namedCurve?: string } }): string {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return `RSA-${d.modulusLength}`;
  if (key.asymmetricKeyType === 'ec') return `ECDSA ${CURVES[d.namedCurve ?? ''] ?? d.namedCurve}`;
  return String(key.asymmetricKeyType);
}

/** node prints names one attribute per line; one line reads better in messages. */
export const oneLineName = (name: string): string => name.split('\n').join(', ');

export function summarize(cert: X509Certificate): CertSummary {
  const f = certFields(cert.raw);
  return {
    subject: oneLineName(cert.subject),
    issuer: oneLineName(cert.issuer),
    serial: f.serialHex,
    notBefore: f.notBefore,
    notAfter: f.notAfter,
    keyType: keyTypeOf(cert.publicKey),
    fingerprint256: cert.fingerprint256,
  };
}

/** True when `parent` issued `child`: names/key ids match (X509_check_issued) and the signature verifies. */
export function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

export const isSelfSigned = (c: X509Certificate): boolean => issuedBy(c, c);

export interface ChainResult {
  /** leaf first, then each issuer found; ends with the trust anchor when one was reached. */
  path: X509Certificate[];
  /** The anchor the path ends at, if any. */
  anchor?: X509Certificate;
  /** Set when the path stops at a certificate whose issuer is nowhere to be found. */
  missingIssuer?: X509Certificate;
}

/**
 * Follows issuers from `leaf` through `pool` (in any order) until it reaches one of `anchors`,
 * a self-signed certificate, or a certificate whose issuer is missing. Anchors match by identity
 * or by issuing the last certificate.
 */
export function buildChain(leaf: X509Certificate, pool: readonly X509Certificate[], anchors: readonly X509Certificate[]): ChainResult {
  const path = [leaf];
  const same = (a: X509Certificate, b: X509Certificate) => a.fingerprint256 === b.fingerprint256;
  for (let cur = leaf; path.length <= 10; ) {
    const asAnchor = anchors.find((a) => same(a, cur));
    if (asAnchor) return { path, anchor: asAnchor };
    const anchor = anchors.find((a) => issuedBy(cur, a));
    if (anchor) return { path: [...path, anchor], anchor };
    if (isSelfSigned(cur)) return { path };
    const next = pool.find((c) => !path.some((p) => same(p, c)) && issuedBy(cur, c));
    if (!next) return { path, missingIssuer: cur };
    path.push(next);
    cur = next;
  }
  return { path };
}

/** Parses PEM text holding any number of certificates (other blocks are ignored). */
export function certsFromPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

const parsedAnchors = new WeakMap<readonly string[], X509Certificate[]>();

/** Parses a list of PEM roots once per list (tls.rootCertificates holds ~140); bad entries are skipped. */
export function anchorsOf(pems: readonly string[]): X509Certificate[] {
  let certs = parsedAnchors.get(pems);
  if (!certs) {
    certs = pems.flatMap((p) => {
      try {
        return certsFromPem(p);
      } catch {
        return [];
      }
    });
    parsedAnchors.set(pems, certs);
  }
  return certs;
}

export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
