/**
 * newKey (src/cli/site-edit.ts) under the conditions that deadlocked Node 20.20: keys generated
 * by the thousand on the main thread and two worker threads at once with a 4 MB young
 * generation (as the build's pool runs them), with string garbage so that the collector runs
 * inside the calls. Exporting a fresh generateKeyPairSync KeyObject as JWK in this very loop
 * hung within seconds in 4 of 5 runs tried here (the collected job's destructor
 * waits for the mutex the export holds); forced gc() calls between keys hide the hang, so the
 * loop runs once without and once with them. A hang fails the test by its timeout.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';

const dir = tempDir('macvpn-newkey-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('newKey', () => {
  it.each([['natural collections', ''], ['forced gc() as well', '1']])('makes 3 × 12,000 P-256 keys (and some RSA) on three threads at once without hanging: %s', (_what, forced) => {
    const script = path.join(dir, 'loop.mjs');
    fs.writeFileSync(script, [
      `import { Worker, isMainThread } from 'node:worker_threads';`,
      `import { createPrivateKey } from 'node:crypto';`,
      `const { newKey } = await import(${JSON.stringify(path.join(ROOT, 'dist/cli/site-edit.js'))});`,
      `const { jwkPkcs8Der } = await import(${JSON.stringify(path.join(ROOT, 'dist/vpn/ikev2/pki/key-der.js'))});`,
      `const workers = isMainThread ? [0, 1].map(() => new Worker(new URL(import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 4 } })) : [];`,
      `const keep = [];`,
      `for (let i = 0; i < 12000; i++) {`,
      `  const jwk = newKey(i % 2000 === 1999 ? 'rsa' : 'ecdsa');`,
      `  keep.push(Buffer.from(jwk.d + (jwk.x ?? jwk.n) + 'x'.repeat(2000)));`,
      `  if (keep.length > 2000) keep.length = 0;`,
      `  if (process.env.FORCE_GC && i % 97 === 0) globalThis.gc();`,
      `  if (i === 11999) createPrivateKey({ key: Buffer.from(jwkPkcs8Der(jwk)), format: 'der', type: 'pkcs8' });`,
      `}`,
      `if (isMainThread) {`,
      `  await Promise.all(workers.map((w) => new Promise((ok, fail) => { w.once('exit', (c) => (c === 0 ? ok() : fail(new Error('exit ' + c)))); w.once('error', fail); })));`,
      `  console.log('done');`,
      `}`,
    ].join('\n'));
    const r = spawnSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, FORCE_GC: forced } });
    expect(r.error, 'hung (killed after 60 s)').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('done');
  }, 70_000);
});
