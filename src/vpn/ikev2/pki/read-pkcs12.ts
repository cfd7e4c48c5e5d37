/**
 * Reads back the certificate of a legacy PKCS#12 (RFC 7292) the way a Mac's keychain opens it:
 * checks the HMAC-SHA1 MAC with the password, decrypts the pbeWithSHAAnd3-KeyTripleDES-CBC
 * certificate bag with node's des-ede3-cbc, and returns the end-entity certificate's DER. For
 * `verify` and `check`, so they can prove that a profile's Password opens its identity.
 */
import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { children, octetValue, readAll, readOid, type Tlv } from '../../../signing/der.js';
import { bmpPassword, pkcs12Kdf } from './pkcs12-kdf.js';

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const OID_PBE_3DES = '1.2.840.113549.1.12.1.3';
const OID_CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const OID_X509 = '1.2.840.113549.1.9.22.1';
const OID_SHA1 = '1.3.14.3.2.26';

const first = (t: Tlv) => children(t)[0]!;
const int = (t: Tlv) => t.value.reduce((n, b) => n * 256 + b, 0);

function decrypt3des(bmp: Uint8Array, alg: Tlv, data: Uint8Array): Uint8Array {
  const [id, params] = children(alg);
  if (readOid(id!.value) !== OID_PBE_3DES) throw new Error(`is encrypted with ${readOid(id!.value)}, not pbeWithSHAAnd3-KeyTripleDES-CBC`);
  const [salt, iter] = children(params!);
  const key = pkcs12Kdf(bmp, salt!.value, int(iter!), 1, 24);
  const iv = pkcs12Kdf(bmp, salt!.value, int(iter!), 2, 8);
  const d = createDecipheriv('des-ede3-cbc', key, iv);
  return Buffer.concat([d.update(data), d.final()]);
}

/** The first certificate of the certificate bags (the identity's own: makePkcs12 writes it first). */
export function readPkcs12Certificate(p12: Uint8Array, password: string): Uint8Array | string {
  try {
    const bmp = bmpPassword(password);
    const [version, authSafe, macData] = children(readAll(p12));
    if (int(version!) !== 3) return 'is not a version 3 PFX';
    const [ct, wrapped] = children(authSafe!);
    if (readOid(ct!.value) !== OID_DATA) return 'is not password-integrity protected';
    const content = octetValue(first(wrapped!));
    if (!macData) return 'has no MAC';
    const [digestInfo, macSalt, iterations] = children(macData);
    const [macAlg, digest] = children(digestInfo!);
    if (readOid(first(macAlg!).value) !== OID_SHA1) return 'has a MAC that is not HMAC-SHA1 (the legacy form Macs import)';
    const macKey = pkcs12Kdf(bmp, macSalt!.value, iterations ? int(iterations) : 1, 3, 20);
    const mac = createHmac('sha1', macKey).update(content).digest();
    if (mac.length !== digest!.value.length || !timingSafeEqual(mac, digest!.value)) return 'does not open with its Password (MAC check failed)';
    for (const info of children(readAll(content))) {
      const [type, explicit] = children(info);
      let safeContents: Uint8Array;
      if (readOid(type!.value) === OID_DATA) safeContents = octetValue(first(explicit!));
      else if (readOid(type!.value) === OID_ENCRYPTED_DATA) {
        const [, eci] = children(first(explicit!));
        const [, alg, enc] = children(eci!);
        safeContents = decrypt3des(bmp, alg!, enc!.constructed ? octetValue({ ...enc!, tag: 0x24 }) : enc!.value);
      } else continue;
      for (const bag of children(readAll(safeContents))) {
        const [bagId, bagValue] = children(bag);
        if (readOid(bagId!.value) !== OID_CERT_BAG) continue;
        const [certId, certValue] = children(first(bagValue!));
        if (readOid(certId!.value) === OID_X509) return octetValue(first(certValue!));
      }
    }
    return 'holds no certificate';
  } catch (e) {
    return `cannot be read (${(e as Error).message})`;
  }
}
