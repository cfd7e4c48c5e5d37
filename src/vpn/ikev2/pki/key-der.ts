/**
 * Key encodings for the VPN PKI, built from JWKs (node's export, or a new key's JWK straight from
 * generateKeyPairSync) and PKCS#1 exports. Measured on Node 20 with OpenSSL 3:
 * `export({ type: 'spki' })` costs ~95 µs and `export({ type: 'pkcs8' })` ~50 µs (the OpenSSL 3
 * encoder framework), against ~5 µs for JWK and PKCS#1: with 5,000 users that is most of the cost
 * of a certificate. The bytes are the same as node's (checked in key-der.test.ts).
 */
import { createHash, type JsonWebKey, type KeyObject } from 'node:crypto';
import { bitString, children, integer, NULL, octets, oid, readAll, readOid, seq, tlv } from '../../../signing/der.js';
import { OID } from '../../../signing/oids.js';
import { PKI_OID } from './oids.js';

/** The key types Apple's IKEv2 `CertificateType` names and iked signs with (docs/iked.md §3). */
export type KeyKind = 'ECDSA256' | 'RSA';

/**
 * ECDSA P-256 or RSA ≥ 2048 bits; anything else throws. Apple refuses RSA below 2048 bits
 * (Apple HT210176), and iked's `ecdsa256` auth method is P-256 (iked.conf(5)).
 */
export function keyKind(key: KeyObject): KeyKind {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec' && d.namedCurve === 'prime256v1') return 'ECDSA256';
  if (key.asymmetricKeyType === 'rsa' && (d.modulusLength ?? 0) >= 2048) return 'RSA';
  throw new RangeError(`unsupported key (${key.asymmetricKeyType ?? '?'} ${d.namedCurve ?? d.modulusLength ?? ''}): use ECDSA P-256 or RSA with at least 2048 bits`);
}

// AlgorithmIdentifiers of SubjectPublicKeyInfo / PrivateKeyInfo: id-ecPublicKey with the named
// curve (RFC 5480 §2.1.1), rsaEncryption with NULL parameters (RFC 3279 §2.3.1).
const EC_ALG = seq(oid(PKI_OID.ecPublicKey), oid(PKI_OID.prime256v1));
const RSA_ALG = seq(oid(OID.rsaEncryption), NULL);

const b64url = (s: string | undefined) => new Uint8Array(Buffer.from(s ?? '', 'base64url'));

/** The uncompressed EC point 04‖x‖y (SEC 1 §2.3.3), which RFC 5480 §2.2 puts in the BIT STRING. */
const ecPoint = (jwk: JsonWebKey) => new Uint8Array([4, ...b64url(jwk.x), ...b64url(jwk.y)]);

/** An INTEGER's contents from unsigned big-endian bytes: a leading 00 when the top bit is set. */
const positive = (b: Uint8Array) => (b[0]! & 0x80 ? new Uint8Array([0, ...b]) : b);
const uint = (s: string | undefined) => tlv(0x02, positive(b64url(s)));

/** The kind of a JWK that {@link jwkSpkiDer} / {@link jwkPkcs8Der} encode; anything else throws. */
function jwkKind(jwk: JsonWebKey): KeyKind {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ECDSA256';
  if (jwk.kty === 'RSA') return 'RSA';
  throw new RangeError(`unsupported JWK (${jwk.kty ?? '?'} ${jwk.crv ?? ''}): use ECDSA P-256 or RSA`);
}

/** SubjectPublicKeyInfo DER (RFC 5280 §4.1.2.7) from a public or private JWK (RFC 7518 §6). */
export function jwkSpkiDer(jwk: JsonWebKey): Uint8Array {
  if (jwkKind(jwk) === 'ECDSA256') return seq(EC_ALG, bitString(ecPoint(jwk)));
  // RSAPublicKey ::= SEQUENCE { modulus, publicExponent } (RFC 8017 §A.1.1)
  return seq(RSA_ALG, bitString(seq(uint(jwk.n), uint(jwk.e))));
}

/**
 * Unencrypted PKCS#8 PrivateKeyInfo DER (RFC 5208 §5) from a private JWK, as node and OpenSSL 3
 * write it: for EC an ECPrivateKey (RFC 5915 §3) with the public key and without the curve
 * parameters (they are in the AlgorithmIdentifier); for RSA the PKCS#1 RSAPrivateKey (RFC 8017
 * §A.1.2, two primes: version 0). JWK members are minimal big-endian integers (RFC 7518 §6.3.2),
 * EC `d` is padded to the curve's 32 bytes (§6.2.2.1), as ECPrivateKey's privateKey is.
 */
export function jwkPkcs8Der(jwk: JsonWebKey): Uint8Array {
  if (jwk.d === undefined) throw new TypeError('jwkPkcs8Der needs a private key');
  if (jwkKind(jwk) === 'ECDSA256') {
    const ecPrivateKey = seq(integer(1), octets(b64url(jwk.d)), tlv(0xa1, bitString(ecPoint(jwk))));
    return seq(integer(0), EC_ALG, octets(ecPrivateKey));
  }
  const rsaPrivateKey = seq(integer(0), ...[jwk.n, jwk.e, jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].map(uint));
  return seq(integer(0), RSA_ALG, octets(rsaPrivateKey));
}

/** SubjectPublicKeyInfo DER (RFC 5280 §4.1.2.7) of a public or private key. */
export function spkiDer(key: KeyObject): Uint8Array {
  keyKind(key); // refuses other curves and RSA below 2048 bits
  return jwkSpkiDer(key.export({ format: 'jwk' }));
}

/** Unencrypted PKCS#8 PrivateKeyInfo DER of a private key (see {@link jwkPkcs8Der}). */
export function pkcs8Der(key: KeyObject): Uint8Array {
  if (key.type !== 'private') throw new TypeError('pkcs8Der needs a private key');
  if (keyKind(key) === 'ECDSA256') return jwkPkcs8Der(key.export({ format: 'jwk' }));
  return seq(integer(0), RSA_ALG, octets(new Uint8Array(key.export({ type: 'pkcs1', format: 'der' }))));
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value (unused-bits octet excluded). */
export function keyIdOf(spki: Uint8Array): Uint8Array {
  return createHash('sha1').update(children(readAll(spki))[1]!.value.subarray(1)).digest();
}

/** The key type named by a SubjectPublicKeyInfo's algorithm (RFC 5480 §2.1.1, RFC 3279 §2.3.1). */
export function spkiKind(spki: Uint8Array): KeyKind {
  const [alg] = children(readAll(spki));
  const [id, params] = children(alg!);
  const algorithm = readOid(id!.value);
  if (algorithm === OID.rsaEncryption) return 'RSA';
  if (algorithm === PKI_OID.ecPublicKey && params?.tag === 0x06 && readOid(params.value) === PKI_OID.prime256v1) return 'ECDSA256';
  throw new RangeError(`unsupported public key algorithm ${algorithm}`);
}

/**
 * Whether a PKCS#8 private key belongs to a SubjectPublicKeyInfo, by comparing the public parts
 * the private key carries (the EC point of ECPrivateKey [1]; RSA n and e): a few µs instead of
 * ~300 µs for createPrivateKey. Undefined when the PKCS#8 holds no EC public key to compare.
 */
export function pkcs8MatchesSpki(pkcs8: Uint8Array, spki: Uint8Array): boolean | undefined {
  const [, keyAlg, keyOctets] = children(readAll(pkcs8));
  const [spkiAlg, spkiBits] = children(readAll(spki));
  if (!keyAlg || !keyOctets || !spkiAlg || !spkiBits || !same(keyAlg.bytes, spkiAlg.bytes)) return false;
  const inner = children(readAll(keyOctets.value));
  if (spkiKind(spki) === 'ECDSA256') {
    const pub = inner.find((t) => t.tag === 0xa1);
    return pub ? same(children(pub)[0]!.value, spkiBits.value) : undefined;
  }
  const [n, e] = children(readAll(spkiBits.value.subarray(1)));
  return same(inner[1]!.bytes, n!.bytes) && same(inner[2]!.bytes, e!.bytes);
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
