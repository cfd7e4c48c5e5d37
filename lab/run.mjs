#!/usr/bin/env node
// lab/run.mjs - the end-to-end IKEv2 lab: generated site -> router (OpenIKED) and Mac stand-in
// (strongSwan, configured from the .mobileconfig alone) in one qemu VM -> PASS/FAIL per scenario.
//
//   node lab/run.mjs [--inputs fixture|macvpn] [--only 1,3] [--break X] [--accel tcg|kvm|auto]
//                    [--out DIR] [--verbose]
//
// Flow per boot: prepare() (lab/inputs.mjs) -> [applyBreak()] -> toRouter(server tree) ->
// toMac(profile) for each case -> boot() the VM once, running the cases in sequence ->
// verdict() per case from the @@ markers and the per-case iked/charon log slices -> scenarios.
// Exit 0 only if every selected scenario PASSes (2 = the lab itself could not run).
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { GENERATORS, SCENARIOS, prepare } from './inputs.mjs';
import { BREAKS, applyBreak } from './breaks.mjs';
import { convertProfileFile, ProfileError } from './profile-to-swanctl.mjs';

const LAB = dirname(fileURLToPath(import.meta.url));
const CACHE = process.env.MACVPN_LAB_CACHE ?? join(homedir(), '.cache', 'macvpn-lab');
const ROUTER_IP = '192.0.2.1';
const MAC_IP = '192.0.2.2';

// ------------------------------------------------------------------ options
function parseArgs(argv) {
  const o = { inputs: process.env.MACVPN_LAB_INPUTS ?? 'auto', only: null, break: null, accel: 'auto', out: null, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]; const v = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === '--inputs') o.inputs = v();
    else if (a === '--only') o.only = new Set(v().split(',').map(Number));
    else if (a === '--break') o.break = v();
    else if (a === '--accel') o.accel = v();
    else if (a === '--out') o.out = resolve(v());
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  if (o.inputs !== 'auto' && !GENERATORS[o.inputs]) usage(`--inputs must be auto, ${Object.keys(GENERATORS).join(' or ')}`);
  if (o.break && !BREAKS[o.break]) usage(`--break must be one of ${Object.keys(BREAKS).join(', ')}`);
  if (!['auto', 'tcg', 'kvm'].includes(o.accel)) usage('--accel must be auto, tcg or kvm');
  return o;
}
function usage(msg) {
  if (msg) console.error(`lab: ${msg}`);
  console.error('usage: node lab/run.mjs [--inputs auto|macvpn|fixture] [--only 1,2,..] [--break ' +
    `${Object.keys(BREAKS).join('|')}] [--accel auto|tcg|kvm] [--out DIR] [--verbose]`);
  process.exit(msg ? 2 : 0);
}

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const now = () => Date.now();

/** auto: the real macvpn once `macvpn init` knows --vpn, the throw-away fixture until then. */
function detectInputs() {
  const r = spawnSync(process.execPath, [join(LAB, '..', 'bin', 'macvpn.js'), 'init', '--help'], { encoding: 'utf8' });
  if (r.status !== 0) throw new LabError(`bin/macvpn.js does not run (npm run build first?): ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  if (/--vpn\b/.test(r.stdout)) return 'macvpn';
  console.log('lab: `macvpn init` has no --vpn option yet: using the throw-away fixture inputs (lab/fixture-site.mjs)');
  return 'fixture';
}

// ------------------------------------------------------------------ image
function ensureImage() {
  const t0 = now();
  const r = spawnSync('bash', [join(LAB, 'build-image.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new LabError(`build-image.sh failed (exit ${r.status})`);
  const dir = r.stdout.trim().split('\n').pop();
  return { dir, ms: now() - t0, key: dir.split('/').pop(), versions: readFileSync(join(dir, 'VERSIONS'), 'utf8') };
}
class LabError extends Error {}

// ------------------------------------------------------------------ router side
// OpenBSD-only words that Linux cannot honour, and what the lab does with them. Everything
// else in the server tree reaches the VM byte for byte, with its file modes.
function adaptIkedConf(text, routerIp) {
  const changes = [];
  const lines = text.split('\n').map((line, i) => {
    const hash = line.indexOf('#');
    const code = hash >= 0 ? line.slice(0, hash) : line;
    let out = code;
    if (/\begress\b/.test(code)) {
      out = out.replace(/\begress\b/g, routerIp);
      changes.push({ line: i + 1, from: line.trim(), to: (out + (hash >= 0 ? line.slice(hash) : '')).trim(),
        why: `Linux has no interface group "egress"; the router's address in the lab is ${routerIp}` });
    }
    for (const [re, why] of [[/\btap\s+enc\d+\s*/, 'Linux has no enc(4) interface'], [/\brdomain\s+\d+\s*/, 'no routing domains on Linux']]) {
      if (re.test(out)) {
        const before = out; out = out.replace(re, '');
        changes.push({ line: i + 1, from: before.trim(), to: out.trim(), why });
      }
    }
    return out + (hash >= 0 ? line.slice(hash) : '');
  });
  return { text: lines.join('\n'), changes };
}

// Modes the router ends up with: install.sh installs every file with an explicit mode
// (install -d -m 0755 for /etc/iked and ca, certs, crls; 0700 for private; iked.conf and keys
// 0600; certificates and CRLs 0644), whatever modes the files have in server/.
const INSTALL_MODE = (rel, isDir) => {
  if (isDir) return rel === 'etc/iked/private' ? 0o700 : 0o755;
  if (rel === 'etc/iked.conf' || rel.startsWith('etc/iked/private/')) return 0o600;
  return 0o644;
};
const oct = (m) => m.toString(8).padStart(4, '0');

/**
 * Copy server/etc/iked.conf and server/etc/iked/ into out/etc/ as install.sh installs them,
 * with iked.conf adapted to Linux; report every content change and every mode install.sh sets.
 */
export function toRouter(serverTree, out, { routerIp = ROUTER_IP } = {}) {
  const etc = join(serverTree, 'etc');
  const conf = join(etc, 'iked.conf');
  if (!existsSync(conf)) throw new LabError(`${conf} missing: is this an IKEv2 server tree?`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'etc'), { recursive: true });
  const mode = (f) => statSync(f).mode & 0o777;
  const modes = [];
  const place = (rel, isDir) => {
    const want = INSTALL_MODE(rel, isDir); const had = mode(join(serverTree, rel));
    chmodSync(join(out, rel), want);
    if (had !== want) modes.push(`${rel} ${oct(had)} -> ${oct(want)}`);
  };
  const { text, changes } = adaptIkedConf(readFileSync(conf, 'utf8'), routerIp);
  writeFileSync(join(out, 'etc', 'iked.conf'), text); place('etc/iked.conf', false);
  const files = ['etc/iked.conf'];
  const copyTree = (rel) => {
    mkdirSync(join(out, rel), { recursive: true }); place(rel, true);
    for (const e of readdirSync(join(serverTree, rel)).sort()) {
      const r = `${rel}/${e}`;
      if (statSync(join(serverTree, r)).isDirectory()) copyTree(r);
      else { copyFileSync(join(serverTree, r), join(out, r)); place(r, false); files.push(r); }
    }
  };
  if (existsSync(join(etc, 'iked'))) copyTree('etc/iked');
  const unused = [];
  const walk = (d) => { for (const e of readdirSync(d).sort()) { const f = join(d, e); if (statSync(f).isDirectory()) walk(f); else unused.push(relative(serverTree, f)); } };
  walk(serverTree);
  return { changes, modes, files, unused: unused.filter((f) => f !== 'etc/iked.conf' && !f.startsWith('etc/iked/')), text };
}

/** The addresses iked.conf says it listens on (literal `local` addresses), if any. */
function literalLocal(text) {
  const m = /\blocal\s+([0-9.]+)\b/.exec(text.replace(/#.*$/gm, ''));
  return m && isIP(m[1]) === 4 ? m[1] : null;
}

/** The macOS server-certificate rules charon does not enforce: SAN = RemoteIdentifier, EKU serverAuth. */
function appleServerCertCheck(routerDir, remoteId) {
  const dir = join(routerDir, 'etc', 'iked', 'certs');
  const bare = remoteId.replace(/^[a-z0-9]+:/, '');
  const certs = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.crt')).map((f) => ({ f, c: new X509Certificate(readFileSync(join(dir, f))) })) : [];
  const hit = certs.find(({ c }) => (c.subjectAltName ?? '').split(', ').some((s) => s.replace(/^[^:]+:/, '') === bare));
  if (!hit) return { ok: false, text: `no certificate in etc/iked/certs has subjectAltName ${bare} (macOS checks RemoteIdentifier against the SAN)` };
  const eku = hit.c.keyUsage ?? [];
  if (!eku.includes('1.3.6.1.5.5.7.3.1')) return { ok: false, text: `etc/iked/certs/${hit.f} has no serverAuth extended key usage (macOS requires it)` };
  return { ok: true, text: `etc/iked/certs/${hit.f}: SAN ${bare}, EKU serverAuth` };
}

// ------------------------------------------------------------------ Mac side
export function toMac(c, out) {
  try {
    const r = convertProfileFile(c.profile, { ca: c.ca, name: c.user.replace(/[^A-Za-z0-9]/g, '_'), out });
    return { ok: true, ...r };
  } catch (e) {
    if (e instanceof ProfileError) return { ok: false, error: e.message };
    throw e;
  }
}

// ------------------------------------------------------------------ the VM
function qemuArgs(accel, image) {
  let a = accel;
  if (a === 'auto') {
    // /dev/kvm alone is not enough: on PVM hosts (no kvm_intel/kvm_amd) a stock kernel hangs.
    a = existsSync('/dev/kvm') && (existsSync('/sys/module/kvm_intel') || existsSync('/sys/module/kvm_amd')) ? 'kvm' : 'tcg';
  }
  const kernel = existsSync(join(image, 'vmlinux')) ? join(image, 'vmlinux') : join(image, 'vmlinuz');
  const acc = a === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', 'qemu64'];
  return { accel: a, args: [...acc, '-smp', '2', '-m', '512', '-machine', 'q35', '-nodefaults', '-no-user-config',
    '-display', 'none', '-nic', 'none', '-serial', 'stdio', '-no-reboot', '-kernel', kernel,
    '-append', 'console=ttyS0 quiet loglevel=1 panic=-1 rdinit=/init'] };
}

function boot({ image, accel, stage, logFile, watchdog, verbose }) {
  const initrd = join(dirname(stage), 'initrd');
  execFileSync('sh', ['-c', `cat "$1" > "$3" && (cd "$2" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >> "$3"`,
    'sh', join(image, 'base.cpio.gz'), stage, initrd]);
  const q = qemuArgs(accel, image);
  return new Promise((res) => {
    const t0 = now();
    const p = spawn('qemu-system-x86_64', [...q.args, '-initrd', initrd], { stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(logFile);
    let buf = ''; let pending = '';
    const timer = setTimeout(() => { p.kill('SIGKILL'); }, (watchdog + 90) * 1000);
    const onData = (d) => {
      const s = d.toString('latin1').replace(/\r/g, '');
      buf += s; log.write(s);
      if (verbose) {
        pending += s; const parts = pending.split('\n'); pending = parts.pop();
        for (const l of parts) if (/^@@ (BOOT|NET|CASE|FACT|DONE)/.test(l)) console.log(`    [vm ${secs(now() - t0)}] ${l.slice(3)}`);
      }
    };
    p.stdout.on('data', onData); p.stderr.on('data', onData);
    p.on('close', (code) => { clearTimeout(timer); log.end(); res({ log: buf, code, ms: now() - t0, accel: q.accel }); });
  });
}

/** @@ markers -> { facts, cases: {id: {facts, sections, begin, end}}, sections } */
export function parseSerial(text) {
  const r = { facts: {}, cases: {}, sections: {}, done: false };
  const kv = (s, into) => { for (const m of s.matchAll(/(\w+)=(\S*)/g)) into[m[1]] = m[2]; };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    let m;
    if ((m = /^@@ FACT (.*)$/.exec(l))) kv(m[1], r.facts);
    else if ((m = /^@@ (BOOT|NET|DONE) (.*)$/.exec(l))) { kv(m[2], r.facts[m[1].toLowerCase()] = {}); if (m[1] === 'DONE') r.done = true; }
    else if ((m = /^@@ CASE (\S+) (BEGIN|END) uptime=([\d.]+)/.exec(l))) {
      const c = (r.cases[m[1]] ??= { facts: {}, sections: {} });
      c[m[2].toLowerCase()] = Number(m[3]);
    } else if ((m = /^@@ CFACT (\S+) (.*)$/.exec(l))) kv(m[2], (r.cases[m[1]] ??= { facts: {}, sections: {} }).facts);
    else if ((m = /^@@ BEGIN (\S+)$/.exec(l))) {
      const name = m[1]; const body = [];
      for (i++; i < lines.length && lines[i] !== `@@ END ${name}`; i++) body.push(lines[i]);
      const [owner, file] = name.includes(':') ? name.split(/:(.*)/s) : ['boot', name];
      if (owner === 'boot') r.sections[file] = body.join('\n');
      else (r.cases[owner] ??= { facts: {}, sections: {} }).sections[file] = body.join('\n');
    }
  }
  return r;
}

// ------------------------------------------------------------------ verdicts
const inPool = (ip, cidr) => {
  const [net, bits] = cidr.split('/'); const n = (a) => a.split('.').reduce((x, y) => x * 256 + Number(y), 0);
  const mask = bits === '0' ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
  return isIP(ip) === 4 && ((n(ip) & mask) >>> 0) === ((n(net) & mask) >>> 0);
};
/** ESP packet counters of the router's SAs from `ip -s xfrm state`: { in, out } */
function espPackets(dump = '', macIp) {
  const res = { in: 0, out: 0 };
  for (const block of dump.split(/\n(?=src )/)) {
    const head = /^src (\S+) dst (\S+)/.exec(block); const cur = /lifetime current:\s*\n\s*(\d+)\(bytes\), (\d+)\(packets\)/.exec(block);
    if (!head || !cur || !/proto esp/.test(block)) continue;
    if (head[1] === macIp) res.in += Number(cur[2]); else if (head[2] === macIp) res.out += Number(cur[2]);
  }
  return res;
}
// The lines that decide a case: authentication, proposals, addresses, SAs, refusals.
const RELEVANT_IKED = /ca_validate_cert: |ikev2_msg_authverify: |ikev2_resp_ike_eap_mschap: |ikev2_send_auth_failed|no proposal chosen|ikev2_add_error: |assigned address |ikev2_childsa_enable: loaded SPIs|established peer |sa_free: (?!received delete|reload)|ikev2_send_encrypted_fragments: Fragment 1 of|eap_validate_id_response|ikev2_resp_recv: failed|invalid subjectAltName|identifier mismatch|no valid local certificate|eap_parse: MSCHAP_V2 SUCCESS/;
const RELEVANT_CHARON = /selected proposal|authentication of .* (successful|failed)|IKE_SA .* established|CHILD_SA .* established|installing new virtual IP|installing DNS server|reassembled fragmented IKE message|splitting IKE message|received (AUTHENTICATION_FAILED|NO_PROPOSAL_CHOSEN)|peer not responding|giving up|constraint check failed|no trusted .* public key|EAP-MS-CHAPv2 (succeeded|failed)|EAP method .* failed|no issuer certificate|not trusted|revoked|establishing CHILD_SA .* failed|received end entity cert|server requested EAP_IDENTITY|unable to|no private key|tried \d+ .*public key/;
function decidingLines(text = '', re, max = 12) {
  const seen = new Set(); const out = [];
  for (const raw of text.split('\n')) {
    if (!re.test(raw) || /\[CFG\] {2,}/.test(raw)) continue;
    // charon "08:03:24 07[IKE] <erin|1> x" -> "08:03:24 [IKE] x"
    const l = raw.replace(/^(\d\d:\d\d:\d\d) \d+(\[\w+\]) <[^>]*> /, '$1 $2 ').trim();
    const k = l.replace(/^\S+ /, '').replace(/0x[0-9a-f]+|\d+/g, '#');
    if (seen.has(k)) continue; seen.add(k); out.push(l.slice(0, 200));
  }
  return out.length > max ? [...out.slice(0, max - 1), `... (${out.length - max + 1} more)`] : out;
}
function maxIkePacket(charon = '') {
  let sent = 0; let recv = 0;
  for (const m of charon.matchAll(/(sending|received) packet: .*\((\d+) bytes\)/g)) {
    if (m[1] === 'sending') sent = Math.max(sent, Number(m[2])); else recv = Math.max(recv, Number(m[2]));
  }
  return { sent, recv };
}

export function verdict(c, res, bootInfo) {
  const reasons = []; const facts = [];
  const cf = res?.facts ?? {};
  const iked = res?.sections?.iked ?? ''; const charon = res?.sections?.charon ?? '';
  const established = cf.child_installed === '1' || /CHILD_SA \S+ established/.test(charon);
  if (!res) reasons.push('the VM produced no result for this case');
  if (c.expect === 'connect') {
    if (cf.ike_established !== '1') reasons.push('IKE SA not established');
    else if (cf.child_installed !== '1') reasons.push('CHILD_SA not installed');
    if (cf.ike_established !== '1') { /* the rest follows from it */ } else if (!cf.vip || cf.vip === 'none') reasons.push('no virtual IP from the router');
    else if (!inPool(cf.vip, bootInfo.expect.pool)) reasons.push(`virtual IP ${cf.vip} is not in the site's pool ${bootInfo.expect.pool}`);
    else facts.push(`vip=${cf.vip} (pool ${bootInfo.expect.pool})`);
    const dns = (cf.resolv_conf ?? '').split(',').filter(Boolean);
    if (cf.ike_established === '1') for (const d of bootInfo.expect.dns) if (!dns.includes(d)) reasons.push(`DNS server ${d} not installed on the Mac (got ${dns.join(',') || 'none'})`);
    if (dns.length) facts.push(`dns=${dns.join(',')}`);
    if (cf.child_installed === '1' && cf.ping !== 'ok') reasons.push(`ping ${bootInfo.expect.ping} through the tunnel ${cf.ping ?? 'not tried'}`);
    const esp = espPackets(res?.sections?.['xfrm-router'], MAC_IP);
    if (cf.ping === 'ok' && (esp.in < 3 || esp.out < 3)) reasons.push(`router ESP SAs counted ${esp.in} in / ${esp.out} out packets (< 3): ping did not go through ESP`);
    facts.push(`ping=${cf.ping ?? 'n/a'} esp_in/out=${esp.in}/${esp.out}`);
    if (c.rekey && cf.child_installed === '1') {
      for (const k of ['child_rekey', 'ike_rekey', 'ping_after_rekey']) if (cf[k] !== 'ok') reasons.push(`${k.replace(/_/g, ' ')}: ${cf[k] ?? 'not tried'}`);
      const esp = [...charon.matchAll(/selected proposal: (ESP:\S+)/g)].map((m) => m[1]);
      facts.push(`rekey: CHILD_SA ${cf.child_rekey ?? '-'} (proposals ${esp.join(' then ') || '?'}), IKE SA ${cf.ike_rekey ?? '-'}, ping after ${cf.ping_after_rekey ?? '-'}`);
      if (c.pfsGroup && esp.length > 1 && !esp.slice(1).some((p) => p.includes(c.pfsGroup))) reasons.push(`the rekeyed CHILD_SA did not use PFS group ${c.pfsGroup}`);
    }
    if (c.mtu) {
      if (cf.mtu_router !== String(c.mtu) || cf.mtu_mac !== String(c.mtu)) reasons.push(`veth MTU is ${cf.mtu_router}/${cf.mtu_mac}, not ${c.mtu}`);
      const mx = maxIkePacket(charon);
      const frag = /splitting IKE message .* into (\d+) fragments/.exec(charon);
      const ikedFrag = /ikev2_send_encrypted_fragments/.test(iked);
      if (c.noIpFragments && cf.ip_reassembly !== 'off') reasons.push('IP reassembly was not switched off');
      facts.push(`path: MTU ${cf.mtu_router}, IP fragments ${cf.ip_reassembly === 'off' ? 'dropped' : 'reassembled'}; largest IKE datagram sent/received ${mx.sent}/${mx.recv} B; RFC 7383 fragments from the Mac: ${frag ? frag[1] : 'none'}, from iked: ${ikedFrag ? 'yes' : 'none'}`);
    }
    if (c.serverCert && !c.serverCert.ok) reasons.push(`macOS server-certificate rule: ${c.serverCert.text}`);
  } else {
    if (established) reasons.push('the Mac got a CHILD_SA although it must be refused');
    if (cf.ike_established === '1') reasons.push('IKE SA established although the Mac must be refused');
    if (c.iked && !c.iked.test(iked)) reasons.push(`iked did not log ${c.iked}`);
    if (c.charon && !c.charon.test(charon)) reasons.push(`charon did not log ${c.charon}`);
    if (cf.stopped_after_refusal === '1') facts.push(`iked refused and then sent nothing; charon was stopped ${bootInfo.grace} s after iked's refusal`);
  }
  if (cf.swanctl_load_rc && cf.swanctl_load_rc !== '0') reasons.push(`swanctl --load-all failed (rc ${cf.swanctl_load_rc})`);
  facts.push(`negotiation ${cf.initiate_s ?? '?'} s`);
  return {
    pass: reasons.length === 0, reasons, facts,
    iked: decidingLines(iked, RELEVANT_IKED),
    charon: decidingLines(charon, RELEVANT_CHARON),
  };
}

// ------------------------------------------------------------------ main
async function main() {
  const o = parseArgs(process.argv.slice(2));
  const T0 = now();
  for (const t of ['qemu-system-x86_64', 'cpio', 'gzip', 'openssl']) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) {
      throw new LabError(`${t} not found: apt-get install -y --no-install-recommends qemu-system-x86 cpio openssl`);
    }
  }
  if (o.inputs === 'auto') o.inputs = detectInputs();
  const out = o.out ?? join(CACHE, 'runs', 'latest');
  rmSync(out, { recursive: true, force: true }); mkdirSync(out, { recursive: true });
  console.log(`lab: inputs=${o.inputs}${o.break ? ` break=${o.break}` : ''} out=${out}`);

  const img = ensureImage();
  console.log(`lab: image ${img.key} (${img.versions.split('\n')[1]}) ready in ${secs(img.ms)}`);

  const tp = now();
  let plan; let breakNote = null;
  try {
    plan = prepare(join(out, 'inputs'), GENERATORS[o.inputs], { log: (m) => o.verbose && console.log(`lab: ${m}`) });
    if (o.break) breakNote = applyBreak(plan, o.break);
  } catch (e) {
    throw new LabError(`preparing the inputs (${o.inputs}${o.break ? `, --break ${o.break}` : ''}) failed: ${e.message}`);
  }
  console.log(`lab: inputs prepared in ${secs(now() - tp)}${breakNote ? `; BREAK ${o.break}: ${breakNote}` : ''}`);

  const results = []; // { boot, case, v, mac }
  const bootsRun = [];
  for (const b of plan.boots) {
    const cases = b.cases.filter((c) => !o.only || o.only.has(c.scenario));
    if (cases.length === 0) continue;
    const bdir = join(out, `boot-${b.id}`); const stage = join(bdir, 'stage');
    mkdirSync(join(stage, 'lab', 'cases'), { recursive: true });
    // Mac side first: the profiles say where the router is.
    const macs = cases.map((c) => ({ c, mac: toMac(c, join(stage, 'lab', 'cases', c.id, 'swanctl')) }));
    const ikedText = readFileSync(join(b.server, 'etc', 'iked.conf'), 'utf8');
    const extra = new Set();
    const local = literalLocal(ikedText);
    if (local && local !== ROUTER_IP) extra.add(local);
    const hosts = new Set();
    for (const { mac } of macs) {
      if (!mac.ok) continue;
      const ra = mac.summary.remoteAddress;
      if (isIP(ra) === 4) { if (ra !== ROUTER_IP && ra !== MAC_IP) extra.add(ra); } else hosts.add(`${local ?? ROUTER_IP} ${ra}`);
    }
    const router = toRouter(b.server, join(stage, 'lab', 'router'), { routerIp: local ?? [...extra][0] ?? ROUTER_IP });
    const runnable = macs.filter(({ mac }) => mac.ok);
    for (const { c, mac } of runnable) {
      c.serverCert = appleServerCertCheck(join(stage, 'lab', 'router'), mac.summary.remoteId);
      writeFileSync(join(stage, 'lab', 'cases', c.id, 'case.env'), [
        `CONN=${mac.summary.name}`, `EXPECT=${c.expect}`, `MTU=${c.mtu ?? 1500}`,
        `PING=${c.expect === 'connect' ? b.expect.ping : ''}`, `NOFRAG=${c.noIpFragments ? 1 : 0}`,
        `REFUSE_RE='${c.expect === 'refuse' && c.iked ? c.iked.source.replace(/'/g, '') : ''}'`,
        `REKEY=${c.rekey ? 1 : 0}`, `CHARON_SETTINGS='${(c.charonSettings ?? '').replace(/'/g, '')}'`, '',
      ].join('\n'));
    }
    const grace = 3;
    const watchdog = 90 + 75 * runnable.length;
    writeFileSync(join(stage, 'lab', 'boot.env'), [
      `ROUTER_IPS="${[ROUTER_IP, ...extra].join(' ')}"`, `MAC_IP=${MAC_IP}`, `LAN_IPS="${b.expect.dns.join(' ')}"`,
      `CASES="${runnable.map(({ c }) => c.id).join(' ')}"`, `WATCHDOG=${watchdog}`, `REFUSE_GRACE=${grace}`, '',
    ].join('\n'));
    writeFileSync(join(stage, 'lab', 'hosts'), [...hosts].join('\n') + '\n');
    execFileSync('install', ['-m', '755', join(LAB, 'vm-init.sh'), join(stage, 'init')]);
    console.log(`lab: boot ${b.id}: ${runnable.length} case(s) in one VM (${runnable.map(({ c }) => c.id).join(', ')})`);
    let vm = null; let parsed = { facts: {}, cases: {}, sections: {} };
    if (runnable.length) {
      vm = await boot({ image: img.dir, accel: o.accel, stage, logFile: join(bdir, 'serial.log'), watchdog, verbose: o.verbose });
      parsed = parseSerial(vm.log);
      console.log(`lab: boot ${b.id}: ${vm.accel}, ${secs(vm.ms)} wall (kernel to /init ${parsed.facts.boot?.uptime ?? '?'} s, iked ready at ${parsed.facts.uptime ?? '?'} s)`
        + `${parsed.done ? '' : ' - VM DID NOT FINISH'}${parsed.facts.watchdog ? ' - WATCHDOG FIRED' : ''}`);
      if (parsed.facts.iked_configtest_rc !== '0') console.log(`lab: boot ${b.id}: iked -n failed:\n${(parsed.sections['iked-configtest'] ?? '').trim()}`);
      writeFileSync(join(bdir, 'result.json'), JSON.stringify(parsed, null, 1));
    }
    bootsRun.push({ b, router, vm, parsed, grace });
    for (const { c, mac } of macs) {
      let v;
      if (!mac.ok) v = { pass: false, reasons: [`the Mac stand-in rejected the profile: ${mac.error}`], facts: [], iked: [], charon: [] };
      else {
        const r = parsed.cases[c.id];
        v = verdict(c, r, { expect: b.expect, grace });
        if (r?.begin !== undefined && r?.end !== undefined) v.vmSeconds = r.end - r.begin;
        if (parsed.facts.iked_configtest_rc && parsed.facts.iked_configtest_rc !== '0') v.reasons.unshift('iked -n rejected the router configuration'), v.pass = false;
        if (mac.warnings.length) v.facts.push(...mac.warnings.map((w) => `profile warning: ${w}`));
        if (o.verbose && mac.notes?.length) v.facts.push(...mac.notes.map((w) => `profile note: ${w}`));
        v.proposals = mac.summary.proposals;
      }
      results.push({ b, c, v, mac, router });
    }
  }

  // ---- report, scenario by scenario
  const scen = [...new Set(results.map((r) => r.c.scenario))].sort();
  const verdicts = {};
  for (const s of scen) {
    const rs = results.filter((r) => r.c.scenario === s);
    const pass = rs.every((r) => r.v.pass);
    verdicts[s] = pass;
    console.log(`\n=== scenario ${s}: ${SCENARIOS[s]}`);
    const bootIds = [...new Set(rs.map((r) => r.b.id))];
    for (const bid of bootIds) {
      const br = bootsRun.find((x) => x.b.id === bid);
      console.log(`  router (boot ${bid}, ${br.vm ? secs(br.vm.ms) : 'not booted'}, shared by scenarios ${[...new Set(results.filter((r) => r.b.id === bid).map((r) => r.c.scenario))].join(',')}):`);
      if (br.router.changes.length === 0) console.log('    server files changed: none');
      for (const ch of br.router.changes) console.log(`    changed iked.conf:${ch.line}: "${ch.from}" -> "${ch.to}" (${ch.why})`);
      if (br.router.modes.length) console.log(`    installed with install.sh's modes: ${br.router.modes.join(', ')}`);
      console.log(`    not used on Linux: ${br.router.unused.join(', ') || 'none'}`);
    }
    for (const r of rs) {
      const { c, v } = r;
      console.log(`  case ${c.id} (${c.user}, ${relative(out, c.profile)}; expect ${c.expect}${c.mtu ? `, MTU ${c.mtu}` : ''}): ${v.pass ? 'PASS' : 'FAIL'}` +
        `${v.vmSeconds !== undefined ? ` in ${v.vmSeconds.toFixed(1)} s` : ''}`);
      if (v.proposals) console.log(`    from the profile: IKE ${v.proposals.ike}, ESP ${v.proposals.esp}`);
      if (c.serverCert && c.expect === 'connect') console.log(`    server certificate: ${c.serverCert.text}`);
      for (const f of v.facts) console.log(`    ${f}`);
      for (const x of v.reasons) console.log(`    FAIL: ${x}`);
      for (const l of v.iked) console.log(`    iked:   ${l}`);
      for (const l of v.charon) console.log(`    charon: ${l}`);
    }
    console.log(`  => scenario ${s}: ${pass ? 'PASS' : 'FAIL'}`);
  }
  const passed = scen.filter((s) => verdicts[s]).length; const failed = scen.length - passed;
  console.log(`\nSUMMARY (inputs ${o.inputs}${o.break ? `, --break ${o.break}` : ''}; image ${img.key} ${secs(img.ms)}; total ${secs(now() - T0)}; logs in ${out})`);
  for (const s of scen) console.log(`  ${verdicts[s] ? 'PASS' : 'FAIL'}  ${s}  ${SCENARIOS[s]}`);
  if (o.break) {
    const t = BREAKS[o.break].scenario;
    const caught = verdicts[t] === false;
    console.log(`  break ${o.break} (${BREAKS[o.break].what}): scenario ${t} ${caught ? 'FAILED, as it must: the lab caught it' : verdicts[t] === undefined ? 'was not run' : 'PASSED: the lab did NOT catch it'}`);
  }
  console.log(`lab: ${passed} passed, ${failed} failed`);
  return failed === 0 && scen.length > 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`lab: error: ${e instanceof LabError ? e.message : e.stack}`);
  process.exit(2);
});
