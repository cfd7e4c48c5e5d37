/** A secret from standard input (validated) or freshly generated: shared by init, user and psk commands. */
import { randomBytes } from 'node:crypto';
import { type Ctx, readStdinValue } from './context.js';
import { MacvpnError } from '../errors.js';
import { checkPassword } from '../site/rules.js';
import { generateSecret, PASSWORD_LENGTH } from '../site/secrets.js';
import type { SiteSecret } from '../vpn/vpn-type.js';

async function secretFrom(ctx: Ctx, fromStdin: unknown, what: string, check: (v: string) => string | undefined, generate: () => string, hints: string[] = []): Promise<string> {
  if (!fromStdin) return generate();
  const value = await readStdinValue(ctx, what);
  const msg = check(value);
  if (msg) throw new MacvpnError(`${what} from standard input ${msg}`, hints);
  return value;
}

/** Shorter chosen passwords are accepted (an existing account may have one) but warned about. */
const WEAK_PASSWORD = 12;

/** `--password-stdin` or a generated 20-character password. */
export async function passwordFromOptions(ctx: Ctx, opts: Record<string, unknown>): Promise<string> {
  const password = await secretFrom(ctx, opts.passwordStdin, 'password', checkPassword, () => generateSecret(PASSWORD_LENGTH, randomBytes));
  if (password.length < WEAK_PASSWORD) {
    // An MS-CHAPv2 exchange captured on the wire can be attacked offline; length is the defence.
    ctx.warn(`the password is only ${password.length} characters long; use ${WEAK_PASSWORD} or more (or let macvpn generate one)`);
  }
  return password;
}

/** `--psk-stdin` or a generated site-wide secret of the VPN type (a pre-shared key). */
export const siteSecretFromOptions = (ctx: Ctx, opts: Record<string, unknown>, secret: SiteSecret) =>
  secretFrom(ctx, opts.pskStdin, secret.name, secret.check, () => secret.generate(randomBytes), ['leave out --psk-stdin to generate one']);
