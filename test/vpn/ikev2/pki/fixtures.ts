/**
 * Test keys (generated per run: tests may use randomness), fixed times and serials, and a runner
 * for the real openssl in a private temp folder. A missing openssl fails the tests, never skips.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadIssuer, makeVpnCa, pem, type Issuer } from '../../../../src/vpn/ikev2/pki/index.js';

export const NOT_BEFORE = new Date('2026-01-01T00:00:00Z');
export const CA_NOT_AFTER = new Date('2036-01-01T00:00:00Z');
export const NOT_AFTER = new Date('2027-01-01T00:00:00Z');
/** Inside every certificate's validity: openssl verify checks against this, not the clock. */
export const AT = String(Math.floor(new Date('2026-06-01T00:00:00Z').getTime() / 1000));

/** A 16-byte serial with the top bit set (so the DER needs a leading 00) ending in `n`. */
export function serial(n: number): Uint8Array {
  const b = Buffer.alloc(16);
  b[0] = 0x9c;
  b.writeUInt32BE(n, 12);
  return b;
}

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}
export const ecKey = (): KeyPair => generateKeyPairSync('ec', { namedCurve: 'P-256' });
export const rsaKey = (): KeyPair => generateKeyPairSync('rsa', { modulusLength: 2048 });

export type CaKind = 'ECDSA' | 'RSA';

/** A VPN CA for `vpn.example.com` and its Issuer. */
export function makeCa(kind: CaKind, key: KeyPair = kind === 'ECDSA' ? ecKey() : rsaKey(), extKeyUsage?: boolean) {
  const der = makeVpnCa({
    commonName: 'Example VPN CA',
    organization: 'Example',
    permittedDns: ['vpn.example.com'],
    key: key.privateKey,
    serial: serial(1),
    notBefore: NOT_BEFORE,
    notAfter: CA_NOT_AFTER,
    extKeyUsage,
  });
  const issuer: Issuer = loadIssuer(der, key.privateKey);
  return { der, key, issuer };
}

export interface Openssl {
  status: number;
  out: string;
}

/** A temp folder under os.tmpdir() with files written as DER or PEM, and openssl run inside it. */
export class Workdir {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'macvpn-pki-'));

  write(name: string, data: Uint8Array | string): string {
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, data);
    return file;
  }

  cert(name: string, der: Uint8Array): string {
    return this.write(name, pem('CERTIFICATE', der));
  }

  /** Runs openssl; `out` is stdout and stderr together. Throws if openssl cannot be started. */
  openssl(...args: string[]): Openssl {
    const r = spawnSync('openssl', args, { cwd: this.dir, encoding: 'utf8' });
    if (r.error) throw new Error(`openssl could not run: ${r.error.message}`);
    return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
  }

  /** `openssl verify` at a fixed time. */
  verify(ca: string, cert: string, ...extra: string[]): Openssl {
    return this.openssl('verify', '-attime', AT, '-CAfile', ca, ...extra, cert);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
