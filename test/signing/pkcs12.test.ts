import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MacvpnError } from '../../src/errors.js';
import { readP12 } from '../../src/signing/pkcs12.js';
import { parseSigner } from '../../src/signing/signer.js';
import { NOW, PASSPHRASE, PKI, pki } from './pki.js';

const p12 = (name: string) => fs.readFileSync(path.join(PKI, name));

describe('readP12 (node-forge, OpenSSL 3 default PBES2/AES-256 files)', () => {
  it('reads an RSA key with its intermediate, leaf first', () => {
    const got = readP12(p12('rsa-int.p12'), PASSPHRASE, 'rsa-int.p12');
    const s = parseSigner({ certPem: got.certPem, keyPem: got.keyPem }, NOW);
    expect(s.cert.toString()).toBe(pki('rsa-int.pem'));
    expect(s.chain.map((c) => c.toString())).toEqual([pki('int.pem')]);
  });

  it('reads an ECDSA P-256 key, which forge itself cannot parse', () => {
    const got = readP12(p12('p256.p12'), PASSPHRASE, 'p256.p12');
    const s = parseSigner({ certPem: got.certPem, keyPem: got.keyPem }, NOW);
    expect(s.keyType).toBe('ECDSA P-256');
    expect(s.chain.map((c) => c.toString())).toEqual([pki('root.pem')]);
  });

  it('says "wrong passphrase" and nothing about the passphrase itself', () => {
    for (const [file, pass] of [['p256.p12', 'not-it'], ['rsa-int.p12', '']]) {
      try {
        readP12(p12(file), pass, file);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(MacvpnError);
        expect((e as MacvpnError).message).toBe(`${file}: wrong passphrase`);
      }
    }
  });

  it('refuses a file that is not PKCS#12', () => {
    expect(() => readP12(Buffer.from(pki('rsa.pem')), PASSPHRASE, 'x.p12')).toThrow('x.p12: not a PKCS#12 file');
  });
});
