/**
 * L2TP's own secret: the IPsec pre-shared key every user's profile carries (secrets/psk, one line).
 * DESIGN.md §5: 16–64 printable ASCII, no whitespace, quotes or backslash, not starting with `0x`.
 */
import type { Problem, Site } from '../../site/types.js';
import type { ReadSiteFile } from '../vpn-type.js';
import { checkPsk } from '../../site/rules.js';
import { generateSecret, PSK_LENGTH, stripOneNewline, type RandomBytes } from '../../site/secrets.js';
import { MODE_SECRET, type OutputFile } from '../../plan/output-file.js';
import { PSK_FILE } from './files.js';

export interface L2tpState {
  psk: string;
}

/** The site's L2TP state (its PSK). */
export const l2tpState = (site: Site): L2tpState => site.secrets.vpn as L2tpState;

export function loadL2tpState(read: ReadSiteFile): L2tpState {
  const bytes = read(PSK_FILE, 'restore it from a backup; a new one (macvpn init --force) means new profiles for everyone')!;
  // The file holds one line; a trailing newline is not part of the key.
  return { psk: stripOneNewline(Buffer.from(bytes).toString('utf8')) };
}

export function checkL2tpState(state: L2tpState): Problem[] {
  const msg = checkPsk(state.psk);
  return msg ? [{ path: PSK_FILE, message: `the shared secret ${msg}` }] : [];
}

export const pskFile = (psk: string): OutputFile => ({ path: PSK_FILE, contents: psk + '\n', mode: MODE_SECRET, secret: true });

export const generatePsk = (random: RandomBytes): string => generateSecret(PSK_LENGTH, random);
