/**
 * macvpn signer import: sign profiles with your own certificate (PEM cert + key, or PKCS#12).
 * Everything is parsed and checked before the lock is taken; the three secrets/signer-* files are
 * then replaced together (writeFiles is all-or-nothing). secrets/ca-key.pem and ca.pem of the
 * site's own CA are left in place: macvpn no longer uses them, but deleting a CA key cannot be
 * undone, Macs that installed ca.pem keep trusting it, and a later re-issue of the site signer
 * needs it. The summary says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import { type Ctx, printWritten, readStdinValue } from '../context.js';
import { MacvpnError, UsageError } from '../../errors.js';
import { loadSettings } from '../../io/read-site.js';
import { withLock } from '../../io/lock.js';
import { writeFiles } from '../../io/write-files.js';
import { CA_KEY_FILE, SIGNER_CERT_FILE, SIGNER_CHAIN_FILE, SIGNER_KEY_FILE } from '../../io/site-paths.js';
import { MODE_SECRET, type OutputFile } from '../../plan/output-file.js';
import { parseSigner, signerPems, type Signer, type SignerInput } from '../../signing/signer.js';
import { describeSigner } from './signer-show.js';

function readInput(ctx: Ctx, file: string, what: string): Buffer {
  try {
    return fs.readFileSync(path.resolve(ctx.io.cwd, file));
  } catch (e) {
    throw new MacvpnError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** A private key others can read is already exposed: say so (STYLE.md §2.6), then go on. */
function warnIfReadable(ctx: Ctx, file: string): void {
  const mode = fs.statSync(path.resolve(ctx.io.cwd, file)).mode & 0o777;
  if (mode & 0o077) ctx.warn(`${file} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 ${file}, and consider the key exposed`);
}

async function signerInput(ctx: Ctx, opts: Record<string, unknown>): Promise<SignerInput> {
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  const [cert, key, chain, p12] = [str('cert'), str('key'), str('chain'), str('p12')];
  if (p12 && (cert || key)) throw new UsageError('give either --p12 or --cert and --key, not both');
  if (!p12 && !(cert && key)) throw new UsageError('give --cert and --key (PEM), or --p12', ['macvpn signer import --help']);
  if (opts.passphraseStdin && !p12) throw new UsageError('--passphrase-stdin goes with --p12');
  const chainPem = chain === undefined ? undefined : readInput(ctx, chain, 'chain').toString('utf8');
  if (p12) {
    const bytes = readInput(ctx, p12, 'PKCS#12 file');
    warnIfReadable(ctx, p12);
    const passphrase = opts.passphraseStdin ? await readStdinValue(ctx, 'passphrase') : '';
    const { readP12 } = await import('../../signing/pkcs12.js'); // node-forge: loaded only here
    const got = readP12(bytes, passphrase, p12);
    return { certPem: got.certPem, keyPem: got.keyPem, chainPem, labels: { cert: p12, key: p12, chain } };
  }
  const keyPem = readInput(ctx, key!, 'key').toString('utf8');
  warnIfReadable(ctx, key!);
  return {
    certPem: readInput(ctx, cert!, 'certificate').toString('utf8'),
    keyPem,
    chainPem,
    labels: { cert, key, chain },
  };
}

function signerFiles(s: Signer): OutputFile[] {
  const pem = signerPems(s);
  return [
    { path: SIGNER_CERT_FILE, contents: pem.cert, mode: MODE_SECRET },
    { path: SIGNER_KEY_FILE, contents: pem.key, mode: MODE_SECRET, secret: true },
    { path: SIGNER_CHAIN_FILE, contents: pem.chain, mode: MODE_SECRET },
  ];
}

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const input = await signerInput(ctx, opts);
  loadSettings(ctx.siteDir); // a site must exist, and secrets/ must be private
  const now = new Date();
  const signer = parseSigner(input, now);
  const files = signerFiles(signer);
  await withLock(ctx.siteDir, () => writeFiles(ctx.siteDir, files, { followBase: true }));
  ctx.out(`profiles are now signed by ${signer.cert.subject.split('\n').join(', ')}`);
  describeSigner(ctx, signer, rootCertificates, now);
  printWritten(ctx, files);
  if (fs.existsSync(path.join(ctx.siteDir, CA_KEY_FILE))) {
    ctx.out(`note: the site's own CA (${CA_KEY_FILE}, ca.pem) is kept; delete both if no Mac trusts ca.pem`);
  }
  ctx.out('next: macvpn build, and send users their re-signed profiles');
}
