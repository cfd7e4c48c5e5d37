/**
 * What `macvpn mail` sends: subject, plain-text body and the profile attachment. MIME encoding is
 * nodemailer's job (CLI layer); this module only decides the content. Pure.
 */
import { vpnDisplayName } from '../apple/build-profile.js';
import type { Site, User } from '../site/types.js';
import { vpnTypeOf } from '../vpn/index.js';

/** What profile servers send for .mobileconfig; text/plain makes browsers and some mail apps show the XML (apple.md §6). */
export const PROFILE_CONTENT_TYPE = 'application/x-apple-aspen-config';

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface MailContent {
  subject: string;
  text: string;
  attachments: MailAttachment[];
}

export interface MailOptions {
  /** True when the profile holds the user's password (`--include-password`). */
  includePassword: boolean;
}

export function profileFileName(user: User): string {
  return `${user.name}.mobileconfig`;
}

/**
 * The message for one user. Install steps follow current macOS (apple.md §6): opening the file
 * only registers it; the user finishes in System Settings, under Privacy & Security › Profiles on
 * macOS 13–14 and General › Device Management on macOS 15 and later.
 */
export function mailContent(site: Site, user: User, profile: Uint8Array, opts: MailOptions): MailContent {
  const vpn = vpnDisplayName(site.organization);
  const file = profileFileName(user);
  const text = [
    `Hello ${user.name},`,
    '',
    `The attached file ${file} sets up the ${vpn} on your Mac`,
    `(account "${user.name}", server ${site.server}).`,
    '',
    'To install it:',
    `1. Save the attachment and double-click ${file}. macOS says the profile was downloaded.`,
    '2. Open System Settings (Apple menu > System Settings).',
    '   - macOS 15 Sequoia and later: General > Device Management.',
    '   - macOS 13 Ventura and 14 Sonoma: Privacy & Security > Profiles.',
    '3. Double-click the downloaded profile, check it, and click Install.',
    '   Your Mac asks for an administrator name and password.',
    '',
    `To connect, open System Settings > VPN and turn on "${vpn}".`,
    '',
    // What the profile holds and what the user must keep private depend on the VPN type.
    ...vpnTypeOf(site).mailNotes(site, opts.includePassword),
    '',
  ].join('\n');
  return {
    subject: `${vpn}: your VPN profile (${user.name})`,
    text,
    attachments: [{ filename: file, contentType: PROFILE_CONTENT_TYPE, content: profile }],
  };
}
