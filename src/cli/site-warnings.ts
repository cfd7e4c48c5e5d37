/** Settings that work only under a condition macvpn cannot see from here: said once per command. */
import type { Settings } from '../site/types.js';
import { dnsWarnings } from '../site/rules.js';
import type { Ctx } from './context.js';

export function warnSettings(ctx: Ctx, settings: Settings): void {
  for (const w of dnsWarnings(settings.dns, settings.pool)) ctx.warn(w);
}
