/** Reads the site's signer from secrets/ (after the mode check) and parses it once. */
import fs from 'node:fs';
import path from 'node:path';
import { MacvpnError } from '../errors.js';
import { parseSigner, type Signer } from '../signing/signer.js';
import { checkSecretModes } from './read-site.js';
import { describeFsError } from './write-files.js';
import { SIGNER_CERT_FILE, SIGNER_CHAIN_FILE, SIGNER_KEY_FILE } from './site-paths.js';

const FILES = [SIGNER_CERT_FILE, SIGNER_KEY_FILE, SIGNER_CHAIN_FILE] as const;
const HINT = 'import one with "macvpn signer import", or re-create the site signer with "macvpn init --force"';

/**
 * The site's signer, or undefined when secrets/ holds none of its files. A missing or bad file is
 * an error naming it. `checkDates: false` lets `signer show` report an expired signer itself.
 */
export function loadSigner(siteDir: string, now: Date, opts: { checkDates?: boolean; checkModes?: boolean } = {}): Signer | undefined {
  // A build's worker threads skip the walk of secrets/ (thousands of files for a VPN type with
  // per-user identities): the main thread checks it before it hands them any work.
  if (opts.checkModes !== false) checkSecretModes(siteDir);
  const texts = FILES.map((rel) => {
    try {
      return fs.readFileSync(path.join(siteDir, rel), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new MacvpnError(`cannot read ${rel}: ${describeFsError(e)}`);
    }
  });
  if (texts.every((t) => t === undefined)) return undefined;
  const missing = FILES.filter((_, i) => texts[i] === undefined);
  if (missing.length > 0) {
    throw new MacvpnError(missing.map((m) => `${m} not found`), [HINT, `an empty ${SIGNER_CHAIN_FILE} (mode 0600) means no intermediates`]);
  }
  const [certPem, keyPem, chainPem] = texts as string[];
  try {
    return parseSigner({ certPem: certPem!, keyPem: keyPem!, chainPem, labels: { cert: SIGNER_CERT_FILE, key: SIGNER_KEY_FILE, chain: SIGNER_CHAIN_FILE } }, now, opts);
  } catch (e) {
    if (e instanceof MacvpnError && e.hints.length === 0) throw new MacvpnError([e.message, ...e.more], [HINT]);
    throw e;
  }
}
