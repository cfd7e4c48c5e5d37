/**
 * macvpn user add NAME: a new user with a generated (or given) password.
 * macvpn user add --from FILE: many at once (src/site/user-list-file.ts), each with a generated
 * password; every bad line is reported with its number and nothing is added (issue 12).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../context.js';
import { MacvpnError, UsageError } from '../../errors.js';
import { checkEmail, checkUserName } from '../../site/rules.js';
import { checkIpOption } from '../find-user.js';
import { passwordFromOptions } from '../secret-input.js';
import { editSite } from '../site-edit.js';
import type { User } from '../../site/types.js';
import { vpnTypeOf } from '../../vpn/index.js';
import { parseUserList } from '../../site/user-list-file.js';
import { generateSecret, PASSWORD_LENGTH } from '../../site/secrets.js';
import { describeFsError } from '../../io/write-files.js';
import { progressBar } from '../progress.js';

export async function run(ctx: Ctx, [name]: string[], opts: Record<string, unknown>): Promise<void> {
  if (typeof opts.from === 'string') return addFromFile(ctx, name, opts.from, opts);
  if (name === undefined) throw new UsageError("missing required argument 'name'", ['add one user with "macvpn user add NAME", or many with "macvpn user add --from FILE"']);
  const nameMsg = checkUserName(name!);
  if (nameMsg) throw new MacvpnError(`user name ${JSON.stringify(name)} ${nameMsg}`);
  const emailMsg = typeof opts.email === 'string' ? checkEmail(opts.email) : undefined;
  if (emailMsg) throw new MacvpnError(`--email ${emailMsg}`);
  const password = await passwordFromOptions(ctx, opts);
  await editSite(ctx, (site) => {
    const clash = site.users.find((u) => u.name.toLowerCase() === name!.toLowerCase());
    if (clash) throw new MacvpnError(`user "${clash.name}" already exists`, [`rotate the password with "macvpn user rotate ${clash.name}"`]);
    const typeMsg = vpnTypeOf(site).checkUserName(site, name!);
    if (typeMsg) throw new MacvpnError(`user name ${JSON.stringify(name)} ${typeMsg}`);
    if (typeof opts.ip === 'string') checkIpOption(site, opts.ip, name!);
    const user: User = { name: name!, ...(typeof opts.ip === 'string' && { ip: opts.ip }), ...(typeof opts.email === 'string' && { email: opts.email }) };
    const passwords = new Map(site.secrets.passwords);
    passwords.set(name!, password);
    return { settings: { ...site, users: [...site.users, user] }, passwords };
  });
  ctx.out(`added user ${name}${opts.showSecrets ? ` with password ${password}` : '; the password is in secrets/ (see it with: macvpn user list --show-secrets)'}`);
  ctx.out(`next: macvpn build (the router's files and ${name}'s profile), then install server/ on the router`);
}

async function addFromFile(ctx: Ctx, name: string | undefined, file: string, opts: Record<string, unknown>): Promise<void> {
  const conflicts = [name !== undefined && 'a NAME', opts.ip !== undefined && '--ip', opts.email !== undefined && '--email', opts.passwordStdin === true && '--password-stdin'].filter(Boolean);
  if (conflicts.length > 0) throw new UsageError(`--from FILE cannot be combined with ${conflicts.join(', ')}`, ['put each user\'s email and ip in the file: name,email,ip']);
  const full = path.resolve(ctx.io.cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(full, 'utf8');
  } catch (e) {
    throw new MacvpnError(`cannot read ${file}: ${describeFsError(e)}`);
  }
  let added: User[] = [];
  await editSite(ctx, (site) => {
    const { users, problems } = parseUserList(text, site);
    if (problems.length > 0) {
      throw new MacvpnError(
        problems.map((p) => (p.line === 0 ? `${file} ${p.message}` : `${file}:${p.line}: ${p.message}`)),
        [`nothing was added: fix ${problems.length === 1 ? 'that line' : `those ${problems.length} lines`} and run the command again`],
      );
    }
    added = users;
    const passwords = new Map(site.secrets.passwords);
    for (const u of users) passwords.set(u.name, generateSecret(PASSWORD_LENGTH, randomBytes));
    return { settings: { ...site, users: [...site.users, ...users] }, passwords };
  }, { progress: (total) => progressBar(ctx, total, 'identities', { quiet: opts.quiet === true }) });
  ctx.out(`added ${added.length} user${added.length === 1 ? '' : 's'} from ${file}, each with a generated password in secrets/ (see them with: macvpn user list --show-secrets)`);
  ctx.out('next: macvpn build (the router\'s files and the new profiles), then install server/ on the router');
}
