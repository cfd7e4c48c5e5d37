/** The IKEv2 VPN PKI: CA, server and user certificates, CRL, PKCS#12 identity. Re-exports only. */
export { caPermitsDns, makeVpnCa, nameConstraints, NO_MAILBOX, permittedDnsOf, type VpnCaSpec } from './ca.js';
export { issueCert, issueServerCert, issueUserCert, type IssueBase, type LeafSpec, type ServerCertSpec, type UserCertSpec } from './issue-cert.js';
export { CRL_REASONS, crlPem, makeCrl, type CrlEntry, type CrlReason, type CrlSpec } from './crl.js';
export { makePkcs12, makePkcs12Many, type Pkcs12Spec } from './pkcs12.js';
export { readCert, readKeyType, readNotAfter, serialHex, type CertInfo } from './read-cert.js';
export { jwkPkcs8Der, jwkSpkiDer, keyKind, pkcs8Der, spkiDer, type KeyKind } from './key-der.js';
export { loadIssuer, pem, type GeneralName, type Issuer } from './x509-der.js';
