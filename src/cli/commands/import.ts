/**
 * macvpn import: adopt a router set up by hand (the seed procedure) without changing anyone's
 * credentials. Reads ipsec.conf, npppd-users and optionally npppd.conf, checks everything, then
 * writes a new site exactly as init does. Nothing is written when anything fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../context.js';
import { printWritten } from '../context.js';
import { MacvpnError } from '../../errors.js';
import { readRouterFiles, type RouterFile } from '../../vpn/index.js';
import { settingsFromOptions } from '../settings-options.js';
import { warnSettings } from '../site-warnings.js';
import { createSite } from '../site-edit.js';

/** The file as the router's C code sees it: bytes, one char per byte. */
function readRouterFile(ctx: Ctx, option: string, file: string): RouterFile {
  const full = path.resolve(ctx.io.cwd, file);
  try {
    return { name: file, text: fs.readFileSync(full).toString('latin1') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MacvpnError(`${option} ${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : code})`);
  }
}

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const files = {
    ipsecConf: readRouterFile(ctx, '--ipsec-conf', opts.ipsecConf as string),
    npppdUsers: readRouterFile(ctx, '--npppd-users', opts.npppdUsers as string),
    ...(typeof opts.npppdConf === 'string' && { npppdConf: readRouterFile(ctx, '--npppd-conf', opts.npppdConf) }),
  };
  const result = readRouterFiles(files);
  if (!result.ok) {
    throw new MacvpnError(result.problems, ['fix the file on a copy, or on the router, and run macvpn import again']);
  }
  const r = result.site;
  const settings = settingsFromOptions(
    { server: opts.server, openbsd: opts.openbsd },
    { listen: r.listen, pool: r.pool, dns: r.dns, users: r.users },
  );
  for (const n of result.notes) ctx.warn(n);
  warnSettings(ctx, settings);
  const { files: written, backup } = await createSite(ctx, settings, r.psk, r.passwords, {
    force: opts.force === true,
    forceHint: 'pass --force to replace it with the imported one',
  });
  const users = settings.users.length;
  ctx.out(`imported ${users} user${users === 1 ? '' : 's'} and the shared secret into ${ctx.siteDir}`);
  printWritten(ctx, written);
  if (backup) ctx.out(`kept a copy of the site it replaced in ${backup}/ (0700): copy it back to undo`);
  if (!files.npppdConf) ctx.out(`no --npppd-conf: the pool is ${settings.pool.cidr} (as in OpenBSD's default npppd.conf) and clients get no DNS servers; check macvpn.yaml`);
  if (!opts.openbsd) ctx.out(`the router is assumed to run OpenBSD ${settings.openbsd}; set openbsd in macvpn.yaml if it does not`);
  ctx.out('next: macvpn build, then compare server/ with the router before installing it');
}
