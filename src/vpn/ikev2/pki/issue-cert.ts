/**
 * End-entity certificates from the VPN CA: iked's server certificate (/etc/iked/certs/) and one
 * certificate per user (inside the user's PKCS#12). Identities are DNS names because iked matches
 * a non-DN IKE ID against the certificate's subjectAltName and macOS sends FQDN IDs
 * (docs/iked.md §1 "Certificate authentication", §4 items 1–2).
 */
import { type KeyObject } from 'node:crypto';
import { octets, oid, seq, tlv } from '../../../signing/der.js';
import { nameDer } from '../../../signing/make-cert.js';
import { keyIdOf, keyKind, spkiDer, spkiKind } from './key-der.js';
import { OID } from '../../../signing/oids.js';
import {
  checkDnsName, extension, keyUsage, signed, subjectAltName, tbsCertificate,
  type GeneralName, type Issuer, type KeyUsageName,
} from './x509-der.js';

/** What every certificate from the VPN CA needs; keys, serial and times come from the caller. */
export interface IssueBase {
  /** From loadIssuer(caCertDer, caKey), parsed once per build. */
  issuer: Issuer;
  /**
   * The subject's key (public, or private: only its public half is used), ECDSA P-256 or RSA ≥
   * 2048; or its SubjectPublicKeyInfo DER as made by jwkSpkiDer from a key this build generated.
   */
  publicKey: KeyObject | Uint8Array;
  /** Positive, at most 20 octets (RFC 5280 §4.1.2.2); random, from the caller; unique per CA. */
  serial: Uint8Array;
  notBefore: Date;
  notAfter: Date;
}

/** SPKI DER of a KeyObject (its type checked) or as given (its algorithm checked). */
function spkiOf(key: KeyObject | Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array)) return spkiDer(key);
  spkiKind(key);
  return key;
}

/** The general form behind issueServerCert / issueUserCert (tests use it for names the CA must refuse). */
export interface LeafSpec extends IssueBase {
  commonName: string;
  subjectAltNames: GeneralName[];
  keyUsage: KeyUsageName[];
  extKeyUsage: string[];
}

/** Issues an end-entity certificate (DER), signed with SHA-256 by the issuer's key type. */
export function issueCert(spec: LeafSpec): Uint8Array {
  if (spec.subjectAltNames.length === 0) throw new RangeError('a VPN certificate needs a subjectAltName');
  const spki = spkiOf(spec.publicKey); // also checks the key type
  const { issuer } = spec;
  const extensions = [
    // RFC 5280 §4.2.1.9: cA FALSE (an empty SEQUENCE, DEFAULT omitted), as ikectl's ikeca.cnf does.
    extension(OID.basicConstraints, true, seq()),
    extension(OID.keyUsage, true, keyUsage(spec.keyUsage)),
    extension(OID.extKeyUsage, false, seq(...spec.extKeyUsage.map(oid))),
    subjectAltName(spec.subjectAltNames),
    extension(OID.subjectKeyIdentifier, false, octets(keyIdOf(spki))),
    // RFC 5280 §4.2.1.1: keyIdentifier = the CA's SKI, so chain builders find the CA quickly.
    extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, issuer.keyId))),
  ];
  const tbs = tbsCertificate({
    serial: spec.serial,
    sigAlg: issuer.sigAlg,
    issuerName: issuer.nameDer,
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    subjectName: nameDer({ commonName: spec.commonName }),
    spki,
    extensions,
  });
  return signed(tbs, issuer.sigAlg, issuer.key);
}

/** Inputs of {@link issueServerCert}. */
export interface ServerCertSpec extends IssueBase {
  /** The server's DNS name: iked's `srcid`, the profile's `RemoteIdentifier` and `RemoteAddress`. */
  hostName: string;
}

/**
 * iked's certificate. macOS checks the server identity against a DNS SAN (not the CN) and wants
 * serverAuth (docs/iked.md §4 item 1, Apple HT210176); clientAuth as well, as ikectl sets both
 * (ikeca.cnf, docs/iked.md §1). keyEncipherment only for RSA (RFC 5280 §4.2.1.3; an EC key
 * cannot encipher keys).
 */
export function issueServerCert(spec: ServerCertSpec): Uint8Array {
  checkDnsName(spec.hostName, 'server host name');
  return issueCert({
    ...spec,
    commonName: spec.hostName,
    subjectAltNames: [{ dns: spec.hostName }],
    keyUsage: (spec.publicKey instanceof Uint8Array ? spkiKind(spec.publicKey) : keyKind(spec.publicKey)) === 'RSA' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'],
    extKeyUsage: [OID.serverAuth, OID.clientAuth],
  });
}

/** Inputs of {@link issueUserCert}. */
export interface UserCertSpec extends IssueBase {
  /** The user's IKE identity, e.g. `alice.vpn.example.com`: the profile's `LocalIdentifier`. */
  identity: string;
}

/**
 * A user's certificate: SAN dNSName = the identity the Mac sends as its FQDN IKE ID, which iked
 * compares with the SAN (ca.c ca_x509_subjectaltname_cmp; docs/iked.md §4 item 2); CN the same
 * for people reading it; clientAuth; digitalSignature only (IKEv2 AUTH is a signature, RFC 7296 §2.15).
 */
export function issueUserCert(spec: UserCertSpec): Uint8Array {
  checkDnsName(spec.identity, 'user identity');
  return issueCert({
    ...spec,
    commonName: spec.identity,
    subjectAltNames: [{ dns: spec.identity }],
    keyUsage: ['digitalSignature'],
    extKeyUsage: [OID.clientAuth],
  });
}
