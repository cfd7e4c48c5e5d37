/**
 * The command line (DESIGN.md §3). Command definitions are cheap; each command's work lives in
 * src/cli/commands/ and is imported only when that command runs, so `macvpn profile` does not
 * pay for mail, server rendering or node-forge (DESIGN.md §6 start-up budget).
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode } from './exit-code.js';
import { ExitStatus, formatError, MacvpnError } from '../errors.js';
import { makeCtx, type CliIo, type Ctx } from './context.js';
import { resolveSiteDir } from '../io/site-paths.js';
import { removeInFlight } from '../io/leftovers.js';
import { INIT_EXAMPLE_OTHER_TYPE, TYPE_INIT_OPTIONS, VPN_CHOICES_HELP } from '../vpn/options.js';
import { refuseContradictions } from './contradictions.js';

type Opts = Record<string, unknown>;
type Run = (ctx: Ctx, args: string[], opts: Opts) => Promise<void>;

/** Each command's implementation, imported only when it runs (esbuild keeps these lazy in the bundle). */
const COMMANDS: Record<string, () => Promise<{ run: Run }>> = {
  init: () => import('./commands/init.js'),
  'user-add': () => import('./commands/user-add.js'),
  'user-remove': () => import('./commands/user-remove.js'),
  'user-list': () => import('./commands/user-list.js'),
  'user-rotate': () => import('./commands/user-rotate.js'),
  'user-set': () => import('./commands/user-set.js'),
  'user-show': () => import('./commands/user-show.js'),
  'user-disable': () => import('./commands/user-disable.js'),
  'user-enable': () => import('./commands/user-enable.js'),
  set: () => import('./commands/set.js'),
  'psk-rotate': () => import('./commands/psk-rotate.js'),
  profile: () => import('./commands/profile.js'),
  server: () => import('./commands/server.js'),
  build: () => import('./commands/build.js'),
  'signer-import': () => import('./commands/signer-import.js'),
  'signer-show': () => import('./commands/signer-show.js'),
  import: () => import('./commands/import.js'),
  'mdm-export': () => import('./commands/mdm-export.js'),
  mail: () => import('./commands/mail.js'),
  verify: () => import('./commands/verify.js'),
  check: () => import('./commands/check.js'),
};

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

/** Entry of a `macvpn build` worker thread (see src/cli/build-workers.ts). */
export async function runBuildWorker(): Promise<void> {
  (await import('./build-worker.js')).buildWorkerMain();
}

/**
 * Ctrl-C or kill during a write: remove this process's temp files, staging folders and lock (they
 * hold secrets or block the site), then exit 130/143 as a shell expects. Called by bin/macvpn.js.
 */
export function handleInterrupts(): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      removeInFlight();
      process.exit(code);
    });
  }
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const debug = io.env.MACVPN_DEBUG === '1';
  const program = new Command('macvpn');

  /** Wires a command to its lazily imported implementation. */
  const action = (name: string) =>
    function (this: Command, ...args: unknown[]) {
      const cmd = this;
      const positional = args.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a : a === undefined ? [] : [a])) as string[];
      const opts = cmd.optsWithGlobals();
      const ctx = makeCtx(io, resolveSiteDir(opts.site as string | undefined, io.env, io.cwd));
      const load = COMMANDS[name];
      if (!load) throw new MacvpnError(`"${name}" is not implemented in this build`);
      return load().then((m) => m.run(ctx, positional, opts));
    };

  program
    .description('Generate an OpenBSD VPN server (isakmpd+npppd or iked) and signed macOS profiles from one site folder')
    .version('0.1.0')
    .option('--site <dir>', 'site folder (default: $MACVPN_SITE or the current directory)')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => {}, // printed by our formatter below
    })
    .addHelpText('after', examples(
      'macvpn init --server vpn.example.com --dns 192.168.1.1',
      'macvpn user add alice',
      'macvpn profile alice            # writes profiles/alice.mobileconfig',
      'macvpn build                    # server/ tree and every profile',
    ));

  const init = program.command('init')
    .description('create a site: macvpn.yaml, the VPN\'s secrets and a signing certificate')
    .requiredOption('--server <host>', 'host name or IP address the Macs dial (a certificate needs a DNS name)')
    .option('--vpn <type>', VPN_CHOICES_HELP)
    .option('--openbsd <version>', 'OpenBSD release of the router (default: newest)')
    .option('--listen <addr>', 'local address the VPN daemon listens on, or "egress"')
    .option('--pool <cidr>', 'private IPv4 pool for VPN clients (default: 10.0.0.0/24)')
    .option('--dns <ip,...>', 'DNS servers handed to clients (at most two)')
    .option('--org <name>', 'organisation name shown in profiles')
    .option('--identifier <prefix>', 'reverse-DNS prefix for profile identifiers')
    .addOption(new Option('--compat <level>', 'client compatibility').choices(['modern', 'legacy']))
    .option('--force', 'replace an existing site (new secret, no users)')
    .addHelpText('after', examples(
      'macvpn init --server vpn.example.com',
      INIT_EXAMPLE_OTHER_TYPE,
      'macvpn --site /etc/macvpn init --server 203.0.113.7 --openbsd 7.5 --dns 192.168.1.1',
      "printf '%s\\n' \"$PSK\" | macvpn init --server vpn.example.com --psk-stdin",
    ))
    .action(action('init'));
  // Each VPN type's own init options (src/vpn/options.ts), declared without loading the types.
  for (const spec of Object.values(TYPE_INIT_OPTIONS).flat()) init.option(spec.flags, spec.help);

  const user = program.command('user').description('add, remove, change, list and rotate VPN users');
  user.command('add [name]')
    .description('add a user with a generated password, or many from a file')
    .option('--from <file>', 'add every user in FILE: one name a line, or CSV name,email,ip (header optional)')
    .option('--quiet', 'no progress bar')
    .option('--password-stdin', 'read the password from standard input')
    .option('--ip <addr>', 'fixed tunnel address inside the pool')
    .option('--email <addr>', 'address for "macvpn mail"')
    .option('--show-secrets', 'print the password')
    .addHelpText('after', examples('macvpn user add alice', 'macvpn user add bob --ip 10.0.0.50 --email bob@example.com', "printf '%s\\n' \"$PW\" | macvpn user add carol --password-stdin", 'macvpn user add --from users.csv'))
    .action(action('user-add'));
  user.command('remove <name>')
    .description('remove a user and their generated profile')
    .addHelpText('after', examples('macvpn user remove alice'))
    .action(action('user-remove'));
  user.command('list')
    .description('list users (no passwords unless --show-secrets)')
    .option('--json', 'print a JSON array of {name, ip, email}')
    .option('--show-secrets', 'include passwords')
    .addHelpText('after', examples('macvpn user list', 'macvpn user list --json | jq -r ".[].name"'))
    .action(action('user-list'));
  user.command('set <name>')
    .description("change a user's fixed address or email")
    .option('--ip <addr>', 'fixed tunnel address inside the pool')
    .option('--no-ip', 'no fixed address: take one from the pool')
    .option('--email <addr>', 'address for "macvpn mail"')
    .option('--no-email', 'remove the email address')
    .addHelpText('after', examples('macvpn user set bob --ip 10.0.0.60', 'macvpn user set bob --no-ip --email bob@example.org'))
    .action(action('user-set'));
  refuseContradictions(user.commands.find((c) => c.name() === 'set')!, [['ip', 'no-ip'], ['email', 'no-email']]);
  user.command('show <name>')
    .description("one user's settings and profile state (their password only with --show-secrets)")
    .option('--json', 'machine-readable output')
    .option('--show-secrets', "print this user's password")
    .addHelpText('after', examples('macvpn user show alice', 'macvpn user show alice --show-secrets'))
    .action(action('user-show'));
  user.command('disable <name>')
    .description('pause a user: password and certificate kept, no login after the next install')
    .addHelpText('after', examples('macvpn user disable alice && macvpn server'))
    .action(action('user-disable'));
  user.command('enable <name>')
    .description('let a disabled user connect again (after the next install)')
    .addHelpText('after', examples('macvpn user enable alice && macvpn server'))
    .action(action('user-enable'));
  user.command('rotate <name>')
    .description("replace a user's password")
    .option('--password-stdin', 'read the new password from standard input')
    .option('--show-secrets', 'print the new password')
    .addHelpText('after', examples('macvpn user rotate alice', "printf '%s\\n' \"$PW\" | macvpn user rotate alice --password-stdin"))
    .action(action('user-rotate'));

  program.command('set <key> [value]')
    .description('show or change one setting of macvpn.yaml (comments kept) and say what it makes out of date')
    .option('--force', 'allow changing identifier (every Mac then adds a second VPN)')
    .addHelpText('after', examples('macvpn set dns 192.168.1.1,192.168.1.2', 'macvpn set dns ""            # no DNS servers', 'macvpn set pool               # show the setting', 'macvpn set openbsd 7.5'))
    .action(action('set'));

  program.command('psk').description('manage the IPsec shared secret')
    .command('rotate')
    .description('replace the shared secret (then rebuild and redeploy everything)')
    .option('--psk-stdin', 'read the new secret from standard input')
    .option('--show-secrets', 'print the new secret')
    .addHelpText('after', examples('macvpn psk rotate && macvpn build'))
    .action(action('psk-rotate'));

  const signer = program.command('signer').description('the certificate that signs profiles');
  signer.command('import')
    .description('sign profiles with your own certificate (PEM cert + key, or PKCS#12)')
    .option('--cert <pem>', 'signer certificate (PEM)')
    .option('--key <pem>', 'private key (PEM, RSA or ECDSA P-256/P-384)')
    .option('--chain <pem>', 'intermediate certificates (PEM)')
    .option('--p12 <file>', 'PKCS#12 file holding certificate, key and chain')
    .option('--passphrase-stdin', 'read the PKCS#12 passphrase from standard input')
    .addHelpText('after', examples(
      'macvpn signer import --cert /etc/ssl/vpn.example.com.crt --key /etc/ssl/private/vpn.example.com.key --chain /etc/ssl/chain.pem',
      "printf '%s\\n' \"$PASS\" | macvpn signer import --p12 signer.p12 --passphrase-stdin",
    ))
    .action(action('signer-import'));
  signer.command('show')
    .description('who signs profiles, until when, and whether Macs will show "Verified"')
    .option('--json', 'machine-readable output')
    .addHelpText('after', examples('macvpn signer show'))
    .action(action('signer-show'));

  program.command('profile <name>')
    .description("write a user's signed .mobileconfig (profiles/NAME.mobileconfig)")
    .option('-o, --output <file>', 'write here instead of profiles/NAME.mobileconfig')
    .option('--unsigned', 'plain XML, not signed')
    .option('--no-password', 'leave the password out; the Mac asks when connecting')
    .option('--stdout', 'write the profile to standard output (never to a terminal)')
    .addOption(new Option('--scope <scope>', 'PayloadScope').choices(['system', 'user']).default('system'))
    .addHelpText('after', examples('macvpn profile alice', 'macvpn profile alice --no-password -o /tmp/alice.mobileconfig', 'macvpn profile alice --unsigned --stdout | less'))
    .action(action('profile'));

  program.command('server')
    .description('write the OpenBSD server tree (server/ or --out DIR)')
    .option('--out <dir>', 'output folder (created when missing)')
    .option('--openbsd <version>', 'OpenBSD release (default: the site setting)')
    .option('--diff', 'print what would change as a unified diff (secrets masked) and write nothing; exit 1 if anything would')
    .addHelpText('after', examples('macvpn server', 'macvpn server --diff', 'macvpn server --out /tmp/router --openbsd 6.6', 'scp -r server root@router: && ssh root@router sh server/install.sh'))
    .action(action('server'));

  program.command('build')
    .description("write the server tree and every user's signed profile")
    .option('--all', 'sign every profile again, not only those whose content or signer changed')
    .option('--quiet', 'no progress bar')
    .option('--diff', 'print what would change in server/ (secrets masked) and which profiles, and write nothing; exit 1 if anything would')
    .addHelpText('after', examples('macvpn build', 'macvpn build --all', 'macvpn build --diff'))
    .action(action('build'));

  program.command('verify <file>')
    .description('check a .mobileconfig: signature, chain and VPN settings')
    .option('--json', 'machine-readable output')
    .addHelpText('after', examples('macvpn verify profiles/alice.mobileconfig', 'macvpn verify --json alice.mobileconfig'))
    .action(action('verify'));

  program.command('mail [names...]')
    .description("email a user's profile (password left out unless --include-password)")
    .option('--to <addr>', "recipient (default: the user's email in macvpn.yaml)")
    .option('--all', 'mail every user who has an email address')
    .option('--stale', 'mail exactly the users whose delivered profile is out of date (see "macvpn user list")')
    .option('--smtp <url>', 'smtps://, or smtp:// with STARTTLS required off loopback (default: $MACVPN_SMTP_URL)')
    .option('--from <addr>', 'sender address (default: $MACVPN_MAIL_FROM or macvpn@<server>)')
    .option('--eml <file>', 'write the message to a file instead of sending it')
    .option('--include-password', 'put the password in the mailed profile')
    .addHelpText('after', examples('macvpn mail alice --smtp smtp://mail.example.com:587', 'macvpn mail --all', 'macvpn mail --stale                 # after psk rotate, a DNS change, a new signer', 'macvpn mail alice --to alice@example.com --eml alice.eml'))
    .action(action('mail'));

  program.command('mdm').description('profiles for an MDM')
    .command('export [names...]')
    .description('write unsigned profiles for upload to an MDM')
    .option('--all', 'every user')
    .requiredOption('--out <dir>', 'output folder (created when missing)')
    .addOption(new Option('--format <format>', 'output format').choices(['plain', 'nanomdm']).default('plain'))
    .addHelpText('after', examples('macvpn mdm export --all --out mdm/', 'macvpn mdm export alice bob --out mdm/ --format nanomdm'))
    .action(action('mdm-export'));

  program.command('import')
    .description('build a site from an existing router\'s ipsec.conf and npppd-users')
    .requiredOption('--ipsec-conf <file>', 'the router\'s /etc/ipsec.conf')
    .requiredOption('--npppd-users <file>', 'the router\'s /etc/npppd/npppd-users')
    .option('--npppd-conf <file>', 'the router\'s /etc/npppd/npppd.conf (pool and DNS)')
    .requiredOption('--server <host>', 'host name or IP address the Macs dial')
    .option('--openbsd <version>', 'OpenBSD release of the router')
    .option('--force', 'replace an existing site')
    .addHelpText('after', examples('macvpn import --ipsec-conf ipsec.conf --npppd-users npppd-users --npppd-conf npppd.conf --server vpn.example.com'))
    .action(action('import'));

  program.command('check')
    .description('lint the site and everything generated from it; exit 1 when anything needs action')
    .option('--json', 'the findings as JSON (for monitoring)')
    .addHelpText('after', examples('macvpn check', 'macvpn check --json | jq .findings'))
    .action(action('check'));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return ExitCode.Ok; // --help, --version
      // `macvpn` or `macvpn user` without a command: commander has printed the help to stderr.
      if (err.code === 'commander.help') return ExitCode.Usage;
      // One error line; commander's "(Did you mean build?)" second line becomes a hint.
      const [first = '', ...rest] = err.message.replace(/^error: /, '').split('\n').filter(Boolean);
      const suggestions = rest.map((l) => l.replace(/^\((.*)\)$/, '$1').replace(/^Did/, 'did'));
      io.stderr.write(formatError(new MacvpnError(first, [...suggestions, 'see "macvpn --help" or "macvpn COMMAND --help"']), false));
      return ExitCode.Usage;
    }
    if (err instanceof ExitStatus) return err.exitCode;
    io.stderr.write(formatError(err, debug));
    return err instanceof MacvpnError ? err.exitCode : ExitCode.Failure;
  }
}
