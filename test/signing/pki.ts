/** Test-only PKI (test/fixtures/pki, TEST ONLY) and an openssl runner for the signing tests. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, tempDir } from '../helpers/cli.js';
import { parseSigner, type Signer } from '../../src/signing/signer.js';

/**
 * A private copy of test/fixtures/pki with keys at 0600, as a careful administrator keeps them: a
 * fresh git checkout leaves them 0644, and `signer import` rightly warns about readable keys.
 */
function privateCopy(): string {
  const from = path.join(ROOT, 'test/fixtures/pki');
  const to = path.join(tempDir('macvpn-pki-'), 'pki');
  fs.cpSync(from, to, { recursive: true });
  for (const f of fs.readdirSync(to)) fs.chmodSync(path.join(to, f), /\.(key|p12)$/.test(f) ? 0o600 : 0o644);
  return to;
}

export const PKI = privateCopy();
export const pki = (name: string): string => fs.readFileSync(path.join(PKI, name), 'utf8');
export const PASSPHRASE = 'test-only-passphrase';
/** Inside every fixture's validity (leaves 2025..2099). */
export const NOW = new Date('2026-06-01T00:00:00Z');
export const SIGNING_TIME = new Date('2026-05-04T03:02:01Z');

export function loadFixtureSigner(name: string, chain?: string): Signer {
  return parseSigner({ certPem: pki(`${name}.pem`), keyPem: pki(`${name}.key`), chainPem: chain && pki(chain) }, NOW);
}

export interface OpensslResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

export function openssl(args: string[], input?: Uint8Array): OpensslResult {
  const r = spawnSync('openssl', args, { input, maxBuffer: 1 << 24 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** `openssl cms -verify` of DER bytes against one CA file; returns the recovered content. */
export function opensslVerify(der: Uint8Array, caFile: string, extra: string[] = []): OpensslResult {
  const dir = tempDir('macvpn-cms-');
  const f = path.join(dir, 'p.der');
  fs.writeFileSync(f, der);
  try {
    return openssl(['cms', '-verify', '-inform', 'DER', '-in', f, '-CAfile', caFile, '-binary', ...extra]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
