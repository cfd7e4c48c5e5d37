/** Whether Macs will show "Verified" for a signer: its chain must end at a root they trust (docs/apple.md §4). */
import { anchorsOf, buildChain, oneLineName } from './chain.js';
import type { Signer } from './signer.js';

export interface SignerTrust {
  trust: 'verified' | 'unverified';
  /** Subject of the trusted root reached, or of the last certificate of an untrusted chain. */
  endsAt: string;
  /** One sentence for people. */
  explanation: string;
}

/** `roots` as PEM, normally node's tls.rootCertificates (Mozilla's list, close to what macOS trusts). */
export function signerTrust(signer: Signer, roots: readonly string[]): SignerTrust {
  const built = buildChain(signer.cert, signer.chain, anchorsOf(roots));
  const last = built.path[built.path.length - 1]!;
  if (built.anchor) {
    const endsAt = oneLineName(built.anchor.subject);
    return { trust: 'verified', endsAt, explanation: `the chain ends at ${endsAt}, a root Macs trust: profiles show "Verified"` };
  }
  const endsAt = oneLineName(built.missingIssuer ? built.missingIssuer.issuer : last.subject);
  return {
    trust: 'unverified',
    endsAt,
    explanation: `the chain ends at ${endsAt}, which Macs do not trust by default: profiles show "Unverified" unless that CA (ca.pem for the site's own CA) is installed and trusted on the Mac`,
  };
}
