/**
 * The build record (.macvpn-build.json) keeps, per user, hashes of the profile's XML and of its
 * inputs, both of which hold the password. They are keyed with secrets/delivery-key, so the
 * record alone lets nobody test a guessed password (src/io/build-manifest.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, tempDir } from '../helpers/cli.js';
import { buildProfileXml } from '../../src/apple/build-profile.js';
import { BUILD_MANIFEST, keyedHash, readManifest, shortHash, signerFingerprint } from '../../src/io/build-manifest.js';
import { profileFingerprint } from '../../src/delivery/delivered.js';
import { loadSite } from '../../src/io/read-site.js';
import { loadSigner } from '../../src/io/read-signer.js';
import { DELIVERY_KEY_FILE } from '../../src/io/site-paths.js';

describe('the build record', () => {
  it('holds only hashes keyed with the delivery key, none a reader without it could recompute', async () => {
    const site = tempDir();
    expect((await runBin(['init', '--server', 'vpn.example.com'], { cwd: site })).code).toBe(0);
    expect((await runBin(['user', 'add', 'bob', '--password-stdin'], { cwd: site, input: 'Bob-chosen-password-1\n' })).code).toBe(0);
    expect((await runBin(['build', '--quiet'], { cwd: site })).code).toBe(0);
    expect(fs.statSync(path.join(site, BUILD_MANIFEST)).mode & 0o777).toBe(0o600);
    const record = readManifest(site).profiles.bob!;
    const key = Buffer.from(fs.readFileSync(path.join(site, DELIVERY_KEY_FILE), 'utf8').trim(), 'hex');
    const fingerprint = signerFingerprint(loadSigner(site, new Date())!);
    const xml = buildProfileXml(loadSite(site), loadSite(site).users.find((u) => u.name === 'bob')!, { includePassword: true, scope: 'System' });
    expect(Buffer.from(xml).toString('utf8')).toContain('Bob-chosen-password-1');
    const bob = loadSite(site).users.find((u) => u.name === 'bob')!;
    expect(record.content).toBe(keyedHash(key, fingerprint, profileFingerprint(loadSite(site), bob, key, xml)));
    expect(record.content).not.toBe(shortHash(fingerprint, xml));
    // A new key (the delivery record deleted with it, as the README allows) gives other hashes.
    fs.rmSync(path.join(site, DELIVERY_KEY_FILE));
    fs.rmSync(path.join(site, 'delivered.json'));
    const again = await runBin(['build', '--quiet'], { cwd: site });
    expect(again.code, again.stderr).toBe(0);
    const after = readManifest(site).profiles.bob!;
    expect(after.content).not.toBe(record.content);
    expect(after.input).not.toBe(record.input);
  });
});
