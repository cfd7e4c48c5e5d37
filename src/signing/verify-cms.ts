/**
 * Checks a signed .mobileconfig the way a Mac does (docs/apple.md §4): CMS SignedData with the
 * plist attached, the content digest against the signed messageDigest, the signature over the
 * DER SET of signed attributes (RFC 5652 §5.4), and the chain from the embedded certificates to a
 * trusted root. Unsigned (XML or binary plist) input is reported as such, not as an error.
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { certFields } from './cert-fields.js';
import { anchorsOf, buildChain, issuedBy, oneLineName, summarize, type CertSummary } from './chain.js';
import { children, concat, octetValue, readAll, readOid, readTime, type Tlv } from './der.js';
import { DIGEST_BY_OID, OID, type DigestName } from './oids.js';

export interface VerifyOptions {
  now: Date;
  /** Trusted roots as PEM, e.g. node's tls.rootCertificates: reaching one means "Verified". */
  roots: readonly string[];
  /** More anchors, e.g. the site's ca.pem for Macs where it is installed. */
  extraTrusted?: readonly string[];
}

export interface VerifyReport {
  signed: boolean;
  /** The profile itself (the plist bytes): the encapsulated content, or the input when unsigned. */
  content: Uint8Array;
  signedAt?: Date;
  digest?: DigestName;
  signer?: CertSummary;
  /** Issuers above the signer, in order; ends at the trust anchor when one was reached. */
  chain: CertSummary[];
  signatureValid: boolean;
  /** Every link verifies and every certificate is within its dates at `now`. */
  chainValid: boolean;
  /** verified: valid signature and chain ending at a root in `roots` or `extraTrusted`. */
  trust: 'verified' | 'unverified' | 'unsigned';
  /** Which anchor list the chain reached. */
  anchor?: 'roots' | 'extra';
  /** Something is wrong (exit 1 material). Never contains profile content. */
  problems: string[];
  /** Why trust is what it is (e.g. a private CA), not a fault. */
  notes: string[];
}

const RSA_SIG = new Set<string>([OID.rsaEncryption, OID.sha256WithRSA, OID.sha384WithRSA, OID.sha512WithRSA]);
const EC_SIG = new Set<string>([OID.ecdsaWithSHA256, OID.ecdsaWithSHA384, OID.ecdsaWithSHA512]);

function looksUnsigned(b: Uint8Array): boolean {
  const head = Buffer.from(b.subarray(0, 64)).toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart();
  return head.startsWith('<') || head.startsWith('bplist');
}

const equalBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

interface Parsed {
  content?: Uint8Array;
  eContentType: string;
  certs: X509Certificate[];
  signerInfos: Tlv[];
}

function parseSignedData(der: Uint8Array): Parsed {
  const [type, wrapped] = children(readAll(der));
  if (!type || type.tag !== 0x06 || readOid(type.value) !== OID.signedData || !wrapped) throw new Error('not a CMS SignedData');
  const sd = children(children(wrapped)[0]!);
  const encap = children(sd[2]!);
  const certs: X509Certificate[] = [];
  for (const c of sd.find((t) => t.tag === 0xa0) ? children(sd.find((t) => t.tag === 0xa0)!) : []) {
    if (c.tag === 0x30) certs.push(new X509Certificate(Buffer.from(c.bytes)));
  }
  return {
    eContentType: readOid(encap[0]!.value),
    content: encap[1] ? octetValue(children(encap[1])[0]!) : undefined,
    certs,
    signerInfos: children(sd[sd.length - 1]!),
  };
}

function attributes(signedAttrs: Tlv): Map<string, Tlv[]> {
  const m = new Map<string, Tlv[]>();
  for (const a of children(signedAttrs)) {
    const [id, values] = children(a);
    m.set(readOid(id!.value), children(values!));
  }
  return m;
}

interface SignerCheck {
  cert?: X509Certificate;
  digest?: DigestName;
  signedAt?: Date;
  signatureValid: boolean;
}

function checkSignerInfo(si: Tlv, p: Parsed, content: Uint8Array, problems: string[]): SignerCheck {
  const f = children(si);
  const [, sid, digestAlg] = f;
  const signedAttrs = f.find((t) => t.tag === 0xa0);
  const rest = f.slice(signedAttrs ? 4 : 3);
  const sigAlgOid = readOid(children(rest[0]!)[0]!.value);
  const signature = octetValue(rest[1]!);
  const out: SignerCheck = { signatureValid: false };
  if (sid!.tag !== 0x30) {
    problems.push('signer is identified by subjectKeyIdentifier, which is not supported');
    return out;
  }
  const [issuer, serial] = children(sid!);
  out.cert = p.certs.find((c) => {
    const cf = certFields(c.raw);
    return equalBytes(cf.issuerDer, issuer!.bytes) && equalBytes(cf.serialDer, serial!.bytes);
  });
  if (!out.cert) problems.push('the signer certificate is not embedded in the profile');
  const digestOid = readOid(children(digestAlg!)[0]!.value);
  out.digest = DIGEST_BY_OID[digestOid];
  if (!out.digest) {
    problems.push(`digest algorithm ${digestOid} is not accepted (only SHA-256, SHA-384, SHA-512)`);
    return out;
  }
  let signedBytes = content;
  if (signedAttrs) {
    const attrs = attributes(signedAttrs);
    const md = attrs.get(OID.messageDigest)?.[0];
    const ct = attrs.get(OID.contentType)?.[0];
    const st = attrs.get(OID.signingTime)?.[0];
    if (st) out.signedAt = readTime(st);
    if (!ct || readOid(ct.value) !== p.eContentType) problems.push('signed contentType attribute is missing or does not match the content');
    if (!md || !equalBytes(md.value, createHash(out.digest).update(content).digest())) {
      problems.push('content does not match the signed message digest (the profile was changed after signing)');
      return out;
    }
    // RFC 5652 §5.4: the signature covers the attributes re-tagged as a SET OF (0x31)
    signedBytes = concat([Uint8Array.of(0x31), signedAttrs.bytes.subarray(1)]);
  }
  if (!RSA_SIG.has(sigAlgOid) && !EC_SIG.has(sigAlgOid)) {
    problems.push(`signature algorithm ${sigAlgOid} is not supported`);
    return out;
  }
  if (out.cert) {
    try {
      out.signatureValid = verify(out.digest, signedBytes, out.cert.publicKey, signature);
    } catch {
      out.signatureValid = false;
    }
    if (!out.signatureValid) problems.push(`signature does not verify with the key of ${oneLineName(out.cert.subject)}`);
  }
  return out;
}

function unsignedReport(der: Uint8Array, problems: string[]): VerifyReport {
  return { signed: false, content: der, chain: [], signatureValid: false, chainValid: false, trust: 'unsigned', problems, notes: [] };
}

/** Verifies a .mobileconfig's CMS signature and chain; never throws on bad input, reports instead. */
export function verifyProfileSignature(der: Uint8Array, opts: VerifyOptions): VerifyReport {
  if (looksUnsigned(der)) return unsignedReport(der, []);
  let p: Parsed;
  try {
    p = parseSignedData(der);
  } catch (e) {
    return unsignedReport(der, [`neither a plist nor a CMS signed profile (${(e as Error).message})`]);
  }
  const problems: string[] = [];
  const notes: string[] = [];
  if (p.eContentType !== OID.data) problems.push(`content type ${p.eContentType} is not id-data`);
  if (!p.content) problems.push('the profile content is not attached (detached signature)');
  if (p.signerInfos.length !== 1) problems.push(`expected exactly one signer, found ${p.signerInfos.length}`);
  const content = p.content ?? new Uint8Array();
  const si = p.signerInfos[0];
  let check: SignerCheck = { signatureValid: false };
  try {
    if (si) check = checkSignerInfo(si, p, content, problems);
  } catch (e) {
    problems.push(`malformed SignerInfo (${(e as Error).message})`);
  }
  const report: VerifyReport = {
    signed: true, content, signedAt: check.signedAt, digest: check.digest, chain: [],
    signatureValid: check.signatureValid, chainValid: false, trust: 'unverified', problems, notes,
  };
  if (!check.cert) return report;
  report.signer = summarize(check.cert);

  const roots = anchorsOf(opts.roots);
  const extra = anchorsOf(opts.extraTrusted ?? []);
  const built = buildChain(check.cert, p.certs, [...roots, ...extra]);
  report.chain = built.path.slice(1).map(summarize);
  let chainValid = built.path.every((c, i) => i === built.path.length - 1 || issuedBy(c, built.path[i + 1]!));
  for (const c of built.path) {
    const f = certFields(c.raw);
    if (opts.now < f.notBefore || opts.now > f.notAfter) {
      chainValid = false;
      const when = opts.now < f.notBefore ? `is not valid before ${f.notBefore.toISOString()}` : `expired on ${f.notAfter.toISOString()}`;
      problems.push(`certificate ${oneLineName(c.subject)} ${when}`);
    }
  }
  const ku = certFields(check.cert.raw).keyUsage;
  if (ku && !ku.includes('digitalSignature')) problems.push('the signer certificate\'s key usage does not allow digitalSignature');
  report.chainValid = chainValid;
  if (built.anchor) report.anchor = roots.includes(built.anchor) ? 'roots' : 'extra';
  else if (built.missingIssuer) notes.push(`the issuer of ${oneLineName(built.missingIssuer.subject)} (${oneLineName(built.missingIssuer.issuer)}) is neither embedded nor trusted`);
  else notes.push(`the chain ends at ${oneLineName(built.path[built.path.length - 1]!.subject)}, a self-signed CA that is not a trusted root: Macs show "Unverified" unless it is installed and trusted`);
  report.trust = report.signatureValid && chainValid && built.anchor && problems.length === 0 ? 'verified' : 'unverified';
  return report;
}
