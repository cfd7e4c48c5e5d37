/**
 * A profile signer: certificate, private key (parsed once into a KeyObject: passing PEM on every
 * sign halves RSA throughput, docs/performance.md §3) and the intermediates to embed.
 * parseSigner checks everything a Mac or openssl would trip over, each as one clear line.
 */
import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { MacvpnError } from '../errors.js';
import { certFields, type CertFields } from './cert-fields.js';
import { certsFromPem, isoDay, issuedBy, keyTypeOf, oneLineName } from './chain.js';
import { ekuName, OID, type DigestName } from './oids.js';

export interface Signer {
  readonly key: KeyObject;
  readonly cert: X509Certificate;
  readonly certDer: Uint8Array;
  /** Issuer of the signer first, each next one issuing the previous; may end with the root. */
  readonly chain: readonly X509Certificate[];
  readonly chainDer: readonly Uint8Array[];
  readonly fields: CertFields;
  readonly algorithm: 'rsa' | 'ec';
  /** "RSA-2048", "ECDSA P-256", … */
  readonly keyType: string;
  readonly digest: DigestName;
  /** Things that work but deserve a word (e.g. an EKU that needs `-purpose any`). */
  readonly warnings: readonly string[];
}

export interface SignerInput {
  certPem: string;
  keyPem: string;
  chainPem?: string;
  /** Names used in messages (file paths); default "signer certificate", "signer key", "signer chain". */
  labels?: { cert?: string; key?: string; chain?: string };
}

/**
 * SHA-256 for every key: it is what Apple's own signed profiles use and the only digest known to
 * work on a Mac (apple.md §4, DESIGN.md §5). RFC 5753 §7.2 would pair P-384 with SHA-384, but
 * ECDSA with a shorter hash is valid (RFC 5758 §3.2) and avoids an untested combination.
 */
const EC_DIGEST: Readonly<Record<string, DigestName>> = { prime256v1: 'sha256', secp384r1: 'sha256', secp521r1: 'sha256' };
/** EKUs under which `openssl cms -verify -purpose any` is not needed (DESIGN.md §3). */
const SIGNING_EKUS: readonly string[] = [OID.emailProtection, OID.codeSigning, OID.anyExtendedKeyUsage];

function parseCerts(pem: string, label: string): X509Certificate[] {
  try {
    return certsFromPem(pem);
  } catch {
    throw new MacvpnError(`${label}: a PEM certificate block is damaged`);
  }
}

function parseKey(pem: string, label: string): KeyObject {
  if (/-----BEGIN (ENCRYPTED|.* ENCRYPTED) PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw new MacvpnError(`${label}: the private key is encrypted`, [`decrypt it first: openssl pkey -in KEY -out plain.pem`]);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new MacvpnError(`${label}: no PEM private key found`);
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // node's message is not shown: keep anything derived from key material out of errors
    throw new MacvpnError(`${label}: the private key cannot be parsed`);
  }
}

function keyAlgorithm(key: KeyObject, label: string): { algorithm: 'rsa' | 'ec'; digest: DigestName } {
  const type = key.asymmetricKeyType;
  const d = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa') {
    if ((d.modulusLength ?? 0) < 2048) throw new MacvpnError(`${label}: RSA key of ${d.modulusLength} bits is too weak (need at least 2048)`);
    return { algorithm: 'rsa', digest: 'sha256' };
  }
  const digest = type === 'ec' ? EC_DIGEST[d.namedCurve ?? ''] : undefined;
  if (digest) return { algorithm: 'ec', digest };
  throw new MacvpnError(`${label}: unsupported key type ${keyTypeOf(key)}`, ['use an RSA (2048 bits or more) or ECDSA P-256/P-384/P-521 key']);
}

function validityProblems(cert: X509Certificate, f: CertFields, what: string, now: Date): string[] {
  const name = oneLineName(cert.subject);
  if (now < f.notBefore) return [`${what} (${name}) is not valid before ${f.notBefore.toISOString()}`];
  if (now > f.notAfter) return [`${what} (${name}) expired on ${f.notAfter.toISOString()}`];
  return [];
}

/** Puts the chain in issuing order and reports certificates that do not link. */
function linkChain(leaf: X509Certificate, given: X509Certificate[], label: string, problems: string[]): X509Certificate[] {
  const chain = given.filter((c) => c.fingerprint256 !== leaf.fingerprint256);
  let prev = leaf;
  chain.forEach((c, i) => {
    if (!issuedBy(prev, c)) problems.push(`${label}: certificate ${i + 1} (${oneLineName(c.subject)}) did not issue ${oneLineName(prev.subject)}`);
    prev = c;
  });
  return chain;
}

/**
 * Parses and checks a signer. `certPem` may hold the whole chain (leaf first, as in a
 * fullchain.pem); `chainPem` adds intermediates (and optionally the root) in issuing order.
 * Throws MacvpnError listing every problem; never includes key material. `checkDates: false`
 * skips the validity-period checks (for `signer show`, which reports an expired signer itself).
 */
export function parseSigner(input: SignerInput, now: Date, opts: { checkDates?: boolean } = {}): Signer {
  const checkDates = opts.checkDates ?? true;
  const certLabel = input.labels?.cert ?? 'signer certificate';
  const keyLabel = input.labels?.key ?? 'signer key';
  const chainLabel = input.labels?.chain ?? 'signer chain';
  const certs = parseCerts(input.certPem, certLabel);
  const leaf = certs[0];
  if (!leaf) throw new MacvpnError(`${certLabel}: no PEM certificate found`);
  const extra = input.chainPem === undefined ? [] : parseCerts(input.chainPem, chainLabel);
  if (input.chainPem !== undefined && input.chainPem.trim() !== '' && extra.length === 0) throw new MacvpnError(`${chainLabel}: no PEM certificate found`);
  const key = parseKey(input.keyPem, keyLabel);
  const { algorithm, digest } = keyAlgorithm(key, keyLabel);
  if (!leaf.checkPrivateKey(key)) throw new MacvpnError(`${keyLabel} does not match the certificate in ${certLabel}`);

  const fields = certFields(leaf.raw);
  const problems = checkDates ? validityProblems(leaf, fields, `${certLabel}: certificate`, now) : [];
  if (fields.keyUsage && !fields.keyUsage.includes('digitalSignature')) {
    problems.push(`${certLabel}: key usage (${fields.keyUsage.join(', ') || 'none'}) does not allow digitalSignature`);
  }
  const warnings: string[] = [];
  const eku = fields.extKeyUsage;
  if (eku && !eku.some((o) => SIGNING_EKUS.includes(o))) {
    // Macs accept e.g. Let's Encrypt (serverAuth) signers (docs/apple.md §4 [S11]); openssl needs -purpose any
    warnings.push(`${certLabel}: extended key usage (${eku.map(ekuName).join(', ')}) has no emailProtection or codeSigning; "openssl cms -verify" needs "-purpose any"`);
  }
  const chain = linkChain(leaf, [...certs.slice(1), ...extra], chainLabel, problems);
  if (checkDates) for (const c of chain) problems.push(...validityProblems(c, certFields(c.raw), `${chainLabel}: certificate`, now));
  if (problems.length > 0) throw new MacvpnError(problems);

  return {
    key,
    cert: leaf,
    certDer: new Uint8Array(leaf.raw),
    chain,
    chainDer: chain.map((c) => new Uint8Array(c.raw)),
    fields,
    algorithm,
    keyType: keyTypeOf(key),
    digest,
    warnings,
  };
}

/** The signer as PEM text, as stored in secrets/ (key as unencrypted PKCS#8). */
export function signerPems(s: Signer): { cert: string; key: string; chain: string } {
  return {
    cert: s.cert.toString(),
    key: s.key.export({ type: 'pkcs8', format: 'pem' }) as string,
    chain: s.chain.map((c) => c.toString()).join(''),
  };
}

export { isoDay };
