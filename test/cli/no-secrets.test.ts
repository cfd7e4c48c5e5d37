/** Issue 2: no secret reaches stdout or stderr of any command unless --show-secrets asks for it. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, tempDir } from '../helpers/cli.js';

describe('secrets stay out of command output', () => {
  it('across every command, including failures', async () => {
    const site = tempDir();
    const seen = new Set<string>();
    const remember = () => {
      seen.add(fs.readFileSync(path.join(site, 'secrets/psk'), 'utf8').trim());
      for (const pw of Object.values(JSON.parse(fs.readFileSync(path.join(site, 'secrets/passwords.json'), 'utf8')))) seen.add(pw as string);
      for (const f of ['secrets/signer-key.pem', 'secrets/ca-key.pem']) {
        const body = fs.readFileSync(path.join(site, f), 'utf8').split('\n')[1];
        if (body) seen.add(body);
      }
    };
    const outputs: string[] = [];
    const run = async (args: string[], input?: string) => {
      const r = await runBin(args, { cwd: site, ...(input !== undefined && { input }) });
      outputs.push(r.stdout + r.stderr);
      return r;
    };
    await run(['init', '--server', 'vpn.example.com', '--dns', '10.0.0.1']);
    remember();
    await run(['user', 'add', 'alice', '--email', 'alice@example.com']);
    await run(['user', 'add', 'bob', '--password-stdin'], 'Bob-chosen-password-1\n');
    remember();
    for (const args of [
      ['user', 'list'], ['user', 'list', '--json'], ['signer', 'show'], ['signer', 'show', '--json'],
      ['profile', 'alice'], ['profile', 'bob', '--no-password'], ['server'], ['build'], ['check'],
      ['verify', 'profiles/alice.mobileconfig'], ['verify', '--json', 'profiles/alice.mobileconfig'],
      ['mdm', 'export', '--all', '--out', 'mdm'], ['mail', 'alice', '--eml', 'alice.eml'], ['--help'],
    ]) expect((await run(args)).code, args.join(' ')).toBe(0);
    for (const args of [
      ['user', 'add', 'alice'], ['user', 'add', 'carol', '--ip', '10.9.9.9'], ['profile', 'nobody'],
      ['mail', 'alice', '--smtp', 'smtp://user:Hunter2-smtp-secret@127.0.0.1:1'],
    ]) expect((await run(args)).code, args.join(' ')).toBe(1);
    await run(['user', 'rotate', 'alice']);
    await run(['psk', 'rotate']);
    remember();
    await run(['check']);
    await run(['psk', 'rotate', '--psk-stdin'], 'short\n');
    seen.add('Hunter2-smtp-secret');
    const all = outputs.join('\n');
    for (const s of seen) expect(all.includes(s), `a secret of length ${s.length} was printed`).toBe(false);
    // and --show-secrets does print them
    const shown = await run(['user', 'list', '--json', '--show-secrets']);
    expect(JSON.parse(shown.stdout).find((u: { name: string }) => u.name === 'bob').password).toBe('Bob-chosen-password-1');
  });
});
