/** macvpn psk rotate: a new IPsec shared secret (every profile and the server must follow). */
import { randomBytes } from 'node:crypto';
import { type Ctx, readStdinValue } from '../context.js';
import { MacvpnError } from '../../errors.js';
import { checkPsk } from '../../site/rules.js';
import { generateSecret, PSK_LENGTH } from '../../site/secrets.js';
import { editSite } from '../site-edit.js';

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  let psk: string;
  if (opts.pskStdin) {
    psk = await readStdinValue(ctx, 'shared secret');
    const msg = checkPsk(psk);
    if (msg) throw new MacvpnError(`shared secret from standard input ${msg}`);
  } else {
    psk = generateSecret(PSK_LENGTH, randomBytes);
  }
  await editSite(ctx, () => ({ psk }));
  ctx.out(`new shared secret${opts.showSecrets ? `: ${psk}` : ' stored in secrets/psk'}`);
  ctx.out('next: macvpn build, install the server tree, and send every user their new profile');
}
