/** macvpn psk rotate: a new IPsec shared secret (every profile and the server must follow). */
import type { Ctx } from '../context.js';
import { pskFromOptions } from '../secret-input.js';
import { editSite } from '../site-edit.js';

export async function run(ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const psk = await pskFromOptions(ctx, opts);
  await editSite(ctx, () => ({ psk }));
  ctx.out(`new shared secret${opts.showSecrets ? `: ${psk}` : ' stored in secrets/psk'}`);
  ctx.out('next: macvpn build, install the server tree, and send every user their new profile');
}
