/**
 * The user's identity as PKCS#12 (RFC 7292) in the legacy form Apple's keychain imports
 * (com.apple.security.pkcs12 payload, docs/iked.md §3): key in a pkcs8ShroudedKeyBag and
 * certificates in an EncryptedData, both pbeWithSHAAnd3-KeyTripleDES-CBC, and an HMAC-SHA1 MAC,
 * all keyed by the PKCS#12 KDF. Reports of macOS failing on AES/PBES2/SHA-256 files
 * (docs/iked.md §4 item 7) are why this is not OpenSSL 3's default form.
 *
 * The layout is what `openssl pkcs12 -export -legacy` writes: AuthenticatedSafe = [certificates
 * (EncryptedData), key (Data)]. OpenSSL 3 `-legacy` and LibreSSL (ikectl) encrypt the certificates
 * with RC2-40 instead (docs/iked.md §4 item 7); 3DES is used here for both because RC2 is only in
 * OpenSSL 3's legacy provider, which node:crypto does not load, and 3DES certificate bags are
 * what `-certpbe PBE-SHA1-3DES` produces, also a form the keychain imports (INFERRED).
 */
import { createCipheriv, createHash, createHmac, createPrivateKey } from 'node:crypto';
import { explicit, integer, NULL, octets, oid, seq, setOf, tlv } from '../../../signing/der.js';
import { OID } from '../../../signing/oids.js';
import { PKI_OID } from './oids.js';
import { pkcs8MatchesSpki, spkiDer } from './key-der.js';
import { bmpPassword, pkcs12KdfMany, type KdfPurpose, type KdfRequest } from './pkcs12-kdf.js';
import { certFields } from './x509-der.js';

/** Inputs of {@link makePkcs12}; salts come from the caller (the core has no randomness). */
export interface Pkcs12Spec {
  /** The private key as unencrypted PKCS#8 PrivateKeyInfo DER (pkcs8Der(key), or node's pkcs8 export). */
  keyPkcs8Der: Uint8Array;
  /** The key's certificate (DER). */
  certDer: Uint8Array;
  /** Issuer certificates to carry along (the VPN CA), DER. */
  caCertsDer: Uint8Array[];
  /** Non-empty; encoded as a BMPString (RFC 7292 B.1). */
  password: string;
  /** Label the keychain shows for the identity (PKCS#9 friendlyName, RFC 2985 §5.5.1). */
  friendlyName?: string;
  /**
   * PBE salts for the key bag, the certificate bag and the MAC, each at least 8 bytes (OpenSSL's
   * PKCS5_SALT_LEN). A derivation depends only on (password, salt, iterations, purpose), so
   * passing the same salt for `key` and `cert` reuses the key bag's 3DES key and IV for the
   * certificates and saves 3 of the 7 KDF runs (~40 % of the cost). The certificates are public,
   * and the two plaintexts differ in their first block, so CBC under one key and IV reveals
   * nothing more than that. Distinct salts are the conventional choice.
   */
  salts: { key: Uint8Array; cert: Uint8Array; mac: Uint8Array };
  /** KDF iterations for the bags and the MAC; default 2048 (OpenSSL's PKCS12_DEFAULT_ITER). */
  iterations?: number;
}

const PBE_3DES_KEY = 24;
const PBE_3DES_IV = 8;

const bmpString = (s: string) => {
  const b = bmpPassword(s);
  return tlv(0x1e, b.subarray(0, b.length - 2)); // BMPString value, without the KDF's 00 00 terminator
};

/** Attribute ::= SEQUENCE { attrId, attrValues SET OF } (RFC 7292 §4.2 PKCS12Attribute). */
const attribute = (id: string, value: Uint8Array) => seq(oid(id), setOf([value]));

/** SafeBag ::= SEQUENCE { bagId, bagValue [0] EXPLICIT, bagAttributes SET OF OPTIONAL } (RFC 7292 §4.2). */
function safeBag(bagId: string, value: Uint8Array, attributes: Uint8Array[]): Uint8Array {
  return seq(oid(bagId), explicit(0, value), ...(attributes.length ? [setOf(attributes)] : []));
}

/** pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER } (RFC 7292 Appendix C). */
const pbeAlgorithm = (salt: Uint8Array, iterations: number) =>
  seq(oid(PKI_OID.pbeWithSHAAnd3KeyTripleDesCbc), seq(octets(salt), integer(iterations)));

/** Builds the PKCS#12 file (DER). Same inputs, same bytes (3DES-CBC and HMAC are deterministic). */
export function makePkcs12(spec: Pkcs12Spec): Uint8Array {
  return makePkcs12Many([spec])[0]!;
}

const PURPOSE_LENGTH: Record<KdfPurpose, number> = { 1: PBE_3DES_KEY, 2: PBE_3DES_IV, 3: 20 };
const derivationId = (salt: Uint8Array, purpose: KdfPurpose) => `${purpose}:${Buffer.from(salt).toString('hex')}`;

/**
 * makePkcs12 for many files: every file's KDF runs (RFC 7292 B.2) are computed together by
 * pkcs12KdfMany, which runs independent SHA-1 chains four at a time. The bytes of each file are
 * those makePkcs12 gives for its spec alone.
 */
export function makePkcs12Many(specs: readonly Pkcs12Spec[]): Uint8Array[] {
  const requests: KdfRequest[] = [];
  const plans = specs.map((spec) => {
    const iterations = checkSpec(spec);
    const bmp = bmpPassword(spec.password);
    // A derivation depends only on (password, salt, iterations, purpose): one run per distinct one.
    const at = new Map<string, number>();
    const need = (salt: Uint8Array, purpose: KdfPurpose) => {
      const id = derivationId(salt, purpose);
      if (!at.has(id)) at.set(id, requests.push({ bmp, salt, iterations, purpose, length: PURPOSE_LENGTH[purpose] }) - 1);
    };
    need(spec.salts.cert, 1);
    need(spec.salts.cert, 2);
    need(spec.salts.key, 1);
    need(spec.salts.key, 2);
    need(spec.salts.mac, 3);
    return { spec, iterations, at };
  });
  const derived = pkcs12KdfMany(requests);
  return plans.map(({ spec, iterations, at }) => assemble(spec, iterations, (salt, purpose) => derived[at.get(derivationId(salt, purpose))!]!));
}

/** Checks a spec (iterations, password, salts, key against certificate); returns the iteration count. */
function checkSpec(spec: Pkcs12Spec): number {
  const iterations = spec.iterations ?? 2048;
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError('iterations must be a positive integer');
  if (spec.password.length === 0) throw new RangeError('a PKCS#12 password must not be empty (the keychain asks for one)');
  for (const [name, salt] of Object.entries(spec.salts)) {
    if (salt.length < 8) throw new RangeError(`the ${name} salt must be at least 8 bytes`);
  }
  const spki = certFields(spec.certDer).spki.bytes;
  const matches = pkcs8MatchesSpki(spec.keyPkcs8Der, spki)
    ?? Buffer.from(spkiDer(createPrivateKey({ key: Buffer.from(spec.keyPkcs8Der), format: 'der', type: 'pkcs8' }))).equals(spki);
  if (!matches) throw new RangeError('the key does not match the certificate');
  return iterations;
}

/** The file from its spec and its derivations. */
function assemble(spec: Pkcs12Spec, iterations: number, kdf: (salt: Uint8Array, purpose: KdfPurpose) => Uint8Array): Uint8Array {
  const encrypt = (salt: Uint8Array, plain: Uint8Array) => {
    const c = createCipheriv('des-ede3-cbc', kdf(salt, 1), kdf(salt, 2)); // PKCS#5 padding (RFC 8018 §6.1.1)
    return new Uint8Array(Buffer.concat([c.update(plain), c.final()]));
  };

  // localKeyId links the key to its certificate (RFC 7292 §4.2, PKCS#9 localKeyId): SHA-1 of the
  // certificate, as OpenSSL does, so it is stable across builds.
  const localKeyId = attribute(PKI_OID.localKeyId, octets(createHash('sha1').update(spec.certDer).digest()));
  const leafAttributes = [localKeyId, ...(spec.friendlyName ? [attribute(PKI_OID.friendlyName, bmpString(spec.friendlyName))] : [])];

  const certBag = (der: Uint8Array, attrs: Uint8Array[]) =>
    safeBag(PKI_OID.certBag, seq(oid(PKI_OID.x509Certificate), explicit(0, octets(der))), attrs);
  const certContents = seq(certBag(spec.certDer, leafAttributes), ...spec.caCertsDer.map((c) => certBag(c, [])));
  const certInfo = seq(
    oid(PKI_OID.encryptedData),
    explicit(0, seq(
      integer(0), // EncryptedData version 0 (RFC 5652 §8)
      seq(oid(OID.data), pbeAlgorithm(spec.salts.cert, iterations), tlv(0x80, encrypt(spec.salts.cert, certContents))),
    )),
  );

  // EncryptedPrivateKeyInfo (RFC 5958 §3) inside a pkcs8ShroudedKeyBag.
  const shrouded = seq(pbeAlgorithm(spec.salts.key, iterations), octets(encrypt(spec.salts.key, spec.keyPkcs8Der)));
  const keyContents = seq(safeBag(PKI_OID.pkcs8ShroudedKeyBag, shrouded, leafAttributes));
  const keyInfo = seq(oid(OID.data), explicit(0, octets(keyContents)));

  const authSafe = seq(certInfo, keyInfo);
  // MacData (RFC 7292 §4): HMAC-SHA1 over the AuthenticatedSafe's octets, key from KDF purpose 3.
  const mac = createHmac('sha1', kdf(spec.salts.mac, 3)).update(authSafe).digest();
  const macData = seq(
    seq(seq(oid(PKI_OID.sha1), NULL), octets(mac)),
    octets(spec.salts.mac),
    ...(iterations === 1 ? [] : [integer(iterations)]), // DER omits a DEFAULT 1 (X.690 §11.5)
  );
  return seq(integer(3), seq(oid(OID.data), explicit(0, octets(authSafe))), macData);
}
