/** macvpn user rotate NAME: a new password for one user. */
import { randomBytes } from 'node:crypto';
import { type Ctx, readStdinValue } from '../context.js';
import { MacvpnError } from '../../errors.js';
import { checkPassword } from '../../site/rules.js';
import { generateSecret, PASSWORD_LENGTH } from '../../site/secrets.js';
import { editSite } from '../site-edit.js';

export async function run(ctx: Ctx, [name]: string[], opts: Record<string, unknown>): Promise<void> {
  let password: string;
  if (opts.passwordStdin) {
    password = await readStdinValue(ctx, 'password');
    const msg = checkPassword(password);
    if (msg) throw new MacvpnError(`password from standard input ${msg}`);
  } else {
    password = generateSecret(PASSWORD_LENGTH, randomBytes);
  }
  await editSite(ctx, (site) => {
    if (!site.users.some((u) => u.name === name)) throw new MacvpnError(`no user ${JSON.stringify(name)} in macvpn.yaml`, ['see "macvpn user list"']);
    const passwords = new Map(site.secrets.passwords);
    passwords.set(name!, password);
    return { passwords };
  });
  ctx.out(`new password for ${name}${opts.showSecrets ? `: ${password}` : ' stored in secrets/'}`);
  ctx.out(`next: macvpn profile ${name} and macvpn server, then deploy both`);
}
