/**
 * Reads a PKCS#12 file with node-forge (loaded only by `signer import --p12`, never on the signing
 * path). forge decodes only RSA keys and certificates; for EC ones it keeps the raw ASN.1
 * (node-forge lib/pkcs12.js "ignore unknown key type, pass asn1 value"), which is handed to
 * node:crypto as PKCS#8 DER / certificate DER.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { MacvpnError } from '../errors.js';
import { buildChain } from './chain.js';

export interface P12Contents {
  /** Leaf first, then its issuers in order. */
  certPem: string;
  /** Unencrypted PKCS#8 PEM. */
  keyPem: string;
}

type Bag = forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 };
const derOf = (a: forge.asn1.Asn1) => Buffer.from(forge.asn1.toDer(a).getBytes(), 'binary');

function openP12(bytes: Uint8Array, passphrase: string, label: string): forge.pkcs12.Pkcs12Pfx {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')));
  } catch {
    throw new MacvpnError(`${label}: not a PKCS#12 file`);
  }
  try {
    return forge.pkcs12.pkcs12FromAsn1(asn1, passphrase);
  } catch (e) {
    const msg = (e as Error).message;
    if (/Invalid password|wrong password|decrypt/i.test(msg)) {
      throw new MacvpnError(`${label}: wrong passphrase`, ['pass it on standard input: printf \'%s\\n\' "$PASS" | macvpn signer import --p12 FILE --passphrase-stdin']);
    }
    throw new MacvpnError(`${label}: cannot read the PKCS#12 file (${msg.split('\n')[0]})`);
  }
}

/** Extracts the key and its certificate chain; throws MacvpnError (never with key material). */
export function readP12(bytes: Uint8Array, passphrase: string, label: string): P12Contents {
  const p12 = openP12(bytes, passphrase, label);
  const bagsOf = (type: string) => (p12.getBags({ bagType: type })[type] ?? []) as Bag[];
  const keyBags = [...bagsOf(forge.pki.oids.pkcs8ShroudedKeyBag!), ...bagsOf(forge.pki.oids.keyBag!)];
  if (keyBags.length !== 1) throw new MacvpnError(`${label}: expected one private key, found ${keyBags.length}`);
  const kb = keyBags[0]!;
  const keyInfo = kb.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(kb.key)) : kb.asn1;
  if (!keyInfo) throw new MacvpnError(`${label}: the private key cannot be read`);
  let key;
  try {
    key = createPrivateKey({ key: derOf(keyInfo), format: 'der', type: 'pkcs8' });
  } catch {
    throw new MacvpnError(`${label}: the private key cannot be parsed`);
  }
  const certs = bagsOf(forge.pki.oids.certBag!).flatMap((b) => {
    const a = b.cert ? forge.pki.certificateToAsn1(b.cert) : b.asn1;
    return a ? [new X509Certificate(derOf(a))] : [];
  });
  const leaf = certs.find((c) => c.checkPrivateKey(key));
  if (!leaf) throw new MacvpnError(`${label}: no certificate matches the private key`);
  const { path } = buildChain(leaf, certs, []);
  return { certPem: path.map((c) => c.toString()).join(''), keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string };
}
