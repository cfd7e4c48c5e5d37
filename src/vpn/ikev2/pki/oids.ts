/**
 * Object identifiers the VPN PKI needs beyond src/signing/oids.ts: X.509 extensions and CRL
 * extensions (RFC 5280 §4.2.1, §5.2, §5.3), EC keys (RFC 5480 §2.1.1) and PKCS#12 (RFC 7292
 * Appendix D, PKCS#9 attributes from RFC 2985 §5.5).
 */
export const PKI_OID = {
  subjectAltName: '2.5.29.17',
  nameConstraints: '2.5.29.30',
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  sha1: '1.3.14.3.2.26',
  encryptedData: '1.2.840.113549.1.7.6',
  /** RFC 7292 Appendix C: pbeWithSHAAnd3-KeyTripleDES-CBC. */
  pbeWithSHAAnd3KeyTripleDesCbc: '1.2.840.113549.1.12.1.3',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
} as const;
