/** macvpn user enable NAME: let a disabled user connect again (src/cli/commands/user-disable.ts). */
import type { Ctx } from '../context.js';
import { setDisabled } from './user-disable.js';

export async function run(ctx: Ctx, [name]: string[]): Promise<void> {
  await setDisabled(ctx, name!, false);
}
