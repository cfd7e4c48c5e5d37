/**
 * The one seam for the VPN type (DESIGN.md §4, mkcert's one-file-per-platform pattern): each type
 * lives in its own folder under src/vpn/ and implements this interface; the registry
 * (src/vpn/index.ts) maps the `vpn:` value of macvpn.yaml to it. Shared code (site envelope,
 * release table, install/check script frame, profile envelope and signing, plan, CLI) asks the
 * type through these members and never branches on which type it is.
 *
 * Everything here is pure: state is read through an injected reader, keys and randomness come in
 * through `Tools`, and the results are values or OutputFiles for src/io to write.
 */
import type { Problem, Settings, Site, User } from '../site/types.js';
import type { OpenbsdRelease, ServiceStyle } from '../openbsd/versions.js';
import type { PlistObject } from '../apple/plist-types.js';
import type { TypedValue } from '../apple/read-plist.js';
import type { OutputFile } from '../plan/output-file.js';
import type { ProfileIds } from '../apple/payload-ids.js';
import type { JsonWebKey } from 'node:crypto';

/** A file the type installs on the router, copied as-is by install.sh. */
export interface InstalledFile {
  /** Path in the output tree (server/…). */
  tree: string;
  /** Absolute path on the router. */
  target: string;
  /** Octal mode on the router. */
  mode: '0600' | '0644';
}

/** One installed file with its bytes, as the plan writes it into server/. */
export interface ServerFile extends InstalledFile {
  contents: string | Uint8Array;
  /** Holds a secret (a key, a password, the PSK). */
  secret?: boolean;
}

/** The shell fragments a type contributes to install.sh and check.sh (src/openbsd/render-*-script.ts). */
export interface ServiceScript {
  /** Header comment of install.sh: what it installs and enables. */
  installPurpose: string[];
  /** Header comment of check.sh. */
  checkPurpose: string[];
  /** Help text of install.sh's `--restart` (which daemons it restarts). */
  restartHelp: string;
  /** Extra install.sh flags after `--restart`: `--name` → shell variable set to yes, with help text. */
  flags: Array<{ flag: string; variable: string; help: string }>;
  /** rc.conf.local lines for releases without rcctl, and the keys they replace. */
  rcConfLocal: { lines: readonly string[]; keys: readonly string[] };
  /** Validation of the staged files with the router's own parsers (each line dies on failure). */
  validate: string[];
  /** Shell functions used by the checks below (after the shared from_macvpn). */
  ownership: string[];
  /** install.sh lines run after validation, before anything is installed (refusals, notes). */
  beforeInstall: string[];
  /** check.sh lines in the same place (warnings only). */
  checkWarnings: string[];
  /** The last check.sh `say` line after the parsers accepted the files. */
  accepted: string;
  /** Folders on the router created before copying, in order. */
  dirs: Array<{ path: string; mode: string }>;
  /** Enabling the daemons, per release style. */
  enable: (style: ServiceStyle) => string[];
  /** (Re)starting the daemons after pf is loaded. */
  start: string[];
  /** Final `say` line of install.sh. */
  done: string;
}

/** What a type needs from the router: files, pf rules, sysctl settings, daemons. */
export interface ServerParts {
  files: ServerFile[];
  /** Rules of the pf anchor after its header (openbsd/render-pf-anchor.ts). */
  pfRules: string[];
  /** sysctl settings install.sh merges into /etc/sysctl.conf. */
  sysctls: ReadonlyArray<readonly [string, string]>;
  script: ServiceScript;
}

/**
 * Reads a file of the site by its path relative to the site folder. Absent: undefined, or, when a
 * hint is given, an error naming the file with that hint (raised by src/io).
 */
export type ReadSiteFile = (rel: string, missingHint?: string) => Uint8Array | undefined;

/**
 * Whether a site file is there, without reading it: false when absent; a file that is not a
 * plain file is refused with the reader's own error (raised by src/io).
 */
export type SiteFileThere = (rel: string) => boolean;

/** Randomness, time and key generation, passed in by src/cli (the core has none of its own). */
export interface Tools {
  now: Date;
  random: (n: number) => Uint8Array;
  /**
   * A new key pair, ECDSA P-256 or RSA-2048, as its private JWK (RFC 7517; public members
   * included): plain data, which the type encodes as it needs and which crosses threads.
   */
  newKey: (kind: 'ecdsa' | 'rsa') => JsonWebKey;
  /** Told how far a long run (issuing thousands of identities) has come: for a progress bar. */
  progress?: (done: number, total: number) => void;
  /**
   * Runs the type's task `task` (VpnType.tasks) over `inputs`, perhaps split among worker threads,
   * each part with the same `shared` value and that thread's own Tools; returns the outputs in
   * input order, as `task(shared, inputs, tools)` would. Absent: the type runs the task itself.
   */
  parallel?: (task: string, shared: unknown, inputs: readonly unknown[]) => unknown[];
}

/**
 * Work a type can have run on other threads (Tools.parallel): pure, plain data in and out
 * (structured-cloneable), the outputs in input order.
 */
export type VpnTask = (shared: unknown, inputs: readonly unknown[], tools: Tools) => unknown[];

/** A change to a site as the type sees it, to write (or remove) the type's state files. */
export interface StateChange {
  /** The site before the change; undefined for a new site (init, import). */
  before: Site | undefined;
  after: Settings;
  passwords: ReadonlyMap<string, string>;
  /** Users whose per-user secret was replaced (user rotate). */
  rotated: readonly string[];
  /** A new site-wide secret (psk rotate, init --psk-stdin), for a type that has one. */
  siteSecret?: string;
}

export interface StateFiles {
  files: OutputFile[];
  /** Paths (relative to the site) to delete once the new files are in place. */
  remove: string[];
  /** Lines to tell the administrator (certificates issued, revoked). */
  notes: string[];
}

/** What `verify` and `check` show for a VPN payload, without secrets. */
export interface PayloadSummary {
  vpnType?: string;
  vpnName?: string;
  server?: string;
  account?: string;
  hasPassword: boolean;
  /** Type-specific facts for verify's "vpn:" line (shared secret length, identity, proposals). */
  details: string[];
  sendAllTraffic: boolean;
  dns: string[];
  problems: string[];
  /** Machine-readable extras for `verify --json`. */
  extra: Record<string, unknown>;
}

export interface ProfileParts {
  payloads: PlistObject[];
  /** PayloadDescription of the profile. */
  description: string;
}

export interface SiteSecret {
  /** "shared secret" */
  name: string;
  /** Its file, relative to the site. */
  file: string;
  check: (value: string) => string | undefined;
  generate: (random: Tools['random']) => string;
  /** The state with this secret replaced (to validate a change before writing it). */
  apply: (state: object, value: string) => object;
}

export interface VpnType {
  /** The `vpn:` value in macvpn.yaml. */
  id: string;
  /** The type's name as people know it, in messages. */
  label: string;
  /** The profile's VPNType (com.apple.vpn.managed.yaml). */
  appleVpnType: string;

  // --- settings (macvpn.yaml) ---
  /** Top-level key of this type's own settings block in macvpn.yaml, if it has one. */
  settingsKey?: string;
  /** The type's settings from its block (plain values from YAML); problems reported by field path. */
  parseSettings: (block: unknown, report: (path: string, message: string) => void) => Record<string, unknown>;
  /** macvpn.yaml lines for the block, with comments (none when the type has no block). */
  renderSettings: (settings: Settings) => string[];
  /** The block from `init` flags; each problem names its flag. */
  settingsFromOptions: (opts: Readonly<Record<string, unknown>>, errors: string[]) => Record<string, unknown>;
  /** Checks of the shared settings this type adds (a server that cannot be a certificate name). */
  checkSettings: (settings: Settings) => Problem[];
  /** Why a user name cannot be used by a site of this type with these settings, if it cannot. */
  checkUserName: (settings: Settings, name: string) => string | undefined;
  /** The `init` options (commander keys) this type takes; other types' options are refused. */
  initOptions: readonly string[];

  // --- secrets and state ---
  /**
   * Reads the type's state (secrets/…, pki/…) for `users` (all when undefined). With `there`,
   * per-user files that only a profile embeds (not what decides renewals or checks) may be
   * checked with it and left unread: `completeState` reads them where the profiles are built
   * (issue 12: 5,000 PKCS#12 files were half of a build's reading before its threads had work).
   */
  loadState: (read: ReadSiteFile, settings: Settings, users?: readonly string[], there?: SiteFileThere) => object;
  /**
   * The state of `users` alone, nothing read (pure): a build posts each thread the site with the
   * state of no user, then each chunk's users' part with the chunk, instead of every user's part
   * to every thread (5,000 certificates: some 5 MB a thread). Absent: the whole state is posted.
   */
  pickState?: (state: object, users: readonly string[]) => object;
  /** The state of `users` alone (as loadState gives it for them), with what it left unread read now; absent: nothing is ever left. */
  completeState?: (state: object, read: ReadSiteFile, users: readonly string[]) => object;
  /** Problems of the state against the settings; `path` is the file concerned. */
  checkState: (settings: Settings, secrets: Site['secrets']) => Problem[];
  /** Files to write and remove when the site changes. */
  stateFiles: (change: StateChange, tools: Tools) => StateFiles;
  /** Tasks stateFiles may hand to Tools.parallel, by name. */
  tasks?: Readonly<Record<string, VpnTask>>;
  /**
   * The state with every secret that can reach a server file (a PSK, private keys) replaced by
   * `fill` characters, keeping line breaks: `--diff` renders with it to know which lines hold
   * secrets (src/plan/server-diff.ts). Public parts (certificates, CRL) stay.
   */
  maskState: (state: object, fill: string) => object;
  /** The site-wide secret `psk rotate` replaces, if the type has one. */
  siteSecret?: SiteSecret;
  /** What the per-user secret is, in messages ("password"). */
  userSecretName: string;

  // --- server ---
  /** The first OpenBSD release this site's settings work on, when it is newer than the table's first. */
  minOpenbsd: (settings: Settings) => { version: string; why: string } | undefined;
  serverParts: (site: Site, release: OpenbsdRelease) => ServerParts;

  // --- profile ---
  profile: (site: Site, user: User, ids: ProfileIds, opts: { includePassword: boolean }) => ProfileParts;
  /**
   * Everything of the type's state that `profile` reads for this user, beyond the settings, the
   * user's entry and password (e.g. the PSK, the user's PKCS#12): an incremental build hashes it
   * to skip profiles whose inputs did not change (src/plan/profile-inputs.ts). A value missing
   * here is a stale profile left in place: test/plan/profile-inputs.test.ts changes each one.
   */
  profileInputs: (site: Site, user: User) => ReadonlyArray<string | Uint8Array | undefined>;
  /** Checks the VPN payload (and the payloads it refers to among `all`). */
  checkPayload: (vpn: ReadonlyMap<string, TypedValue>, all: readonly TypedValue[]) => PayloadSummary;
  /** Why a profile (parsed) differs from the site, for `check`; empty when only other settings changed. */
  staleReasons: (root: TypedValue, site: Site, user: User) => string[];
  /** Per-user facts of the type for `user list` (a column each, and JSON keys): e.g. the certificate's end. */
  userFacts: (site: Site, user: User) => Record<string, string>;
  /** What else must happen after `user remove NAME` (install, end the live session, rotate a shared secret). */
  removalNotes: (settings: Settings, name: string) => string[];
  /** What `check` reports about the type's state at `now`: summary lines, warnings, problems. */
  findings: (site: Site, now: Date) => { lines: string[]; warnings: string[]; problems: string[] };
  /** What a profile of this type holds, for output lines ("the shared secret"). */
  profileHolds: string;
  /** The mail's paragraphs on what the profile holds (password or not) and what to keep private. */
  mailNotes: (settings: Settings, includePassword: boolean) => string[];
}
