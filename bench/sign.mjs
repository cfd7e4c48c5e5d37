// In-process signing rate of signProfile (one thread; `macvpn build` runs one worker per core) for the
// TEST ONLY RSA-2048 and P-256 signers, method as docs/performance.md: 0.4 s warm-up, then 9 batches
// of >= 0.6 s, median and min-max. Needs `npx tsc -p .` first (imports dist/signing).
// Usage: node bench/sign.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSigner } from '../dist/signing/signer.js';
import { signProfile } from '../dist/signing/sign-profile.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pki = (f) => fs.readFileSync(path.join(root, 'test/fixtures/pki', f), 'utf8');
const now = new Date('2026-06-01T00:00:00Z');
const content = new Uint8Array(3117).fill(0x41); // size of the realistic profile in performance.md
const signers = {
  'RSA-2048': parseSigner({ certPem: pki('rsa.pem'), keyPem: pki('rsa.key'), chainPem: pki('root.pem') }, now),
  'P-256': parseSigner({ certPem: pki('p256.pem'), keyPem: pki('p256.key'), chainPem: pki('root.pem') }, now),
};

async function rate(batch) {
  const end = performance.now() + 400;
  while (performance.now() < end) await batch();
  const rates = [];
  for (let i = 0; i < 9; i++) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 600) n += await batch();
    rates.push((n * 1000) / (performance.now() - t0));
  }
  rates.sort((a, b) => a - b);
  return `${Math.round(rates[4])}/s (${Math.round(rates[0])}-${Math.round(rates[8])})`;
}

for (const [name, s] of Object.entries(signers)) {
  const sync = await rate(async () => {
    for (let i = 0; i < 20; i++) signProfile(content, s, now);
    return 20;
  });
  console.log(JSON.stringify({ name: `sign-${name}`, per_second: sync }));
}
