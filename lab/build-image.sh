#!/bin/bash
# lab/build-image.sh - build (or find in the cache) the lab VM image: Debian's kernel plus an
# initramfs holding OpenIKED (the router), strongSwan charon/swanctl (the Mac stand-in),
# busybox and iproute2, with every shared library they load.
#
# Everything comes from Debian packages (`apt-get download` + `dpkg-deb -x`): libraries are
# taken from their packages too, never from the host, so the image is fully determined by
# the package versions. The cache key is a hash of the exact .deb files apt would fetch
# (name, version, SHA256) and of this script.
#
# Usage: lab/build-image.sh [--print-key] [--force]
#   --print-key  only print the cache key (resolves versions, downloads nothing)
#   --force      rebuild even when the cached image exists
# Env:   MACVPN_LAB_CACHE   cache root (default $HOME/.cache/macvpn-lab)
#        MACVPN_LAB_DEBIAN  Debian release the image is made of (default trixie; bookworm works
#                           too but its strongSwan 5.9.8 cannot parse CA certificates with
#                           iPAddress nameConstraints). Its package lists are kept in a private
#                           apt state under the cache: the host's apt sources are not used.
#        KEEP_BUILD=1       keep the unpacked staging trees
# Output (stdout, last line): the image directory, holding vmlinux (PVH ELF, when it could be
#        extracted), vmlinuz, base.cpio.gz, VERSIONS.
# Needs on the host: apt-get, dpkg-deb, cpio, gzip, xz, sha256sum and Debian's archive keyring
# (/usr/share/keyrings/debian-archive-keyring.gpg).
set -euo pipefail

CACHE=${MACVPN_LAB_CACHE:-$HOME/.cache/macvpn-lab}
HERE=$(cd "$(dirname "$0")" && pwd)
PRINT_KEY=0 FORCE=0
for a in "$@"; do
    case $a in
    --print-key) PRINT_KEY=1 ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "build-image.sh: unknown option $a" >&2; exit 2 ;;
    esac
done
log() { echo "[build-image] $*" >&2; }
for t in apt-get apt-cache dpkg-deb cpio gzip xz sha256sum; do
    command -v $t >/dev/null || { echo "build-image.sh: missing host tool $t (apt-get install cpio xz-utils)" >&2; exit 2; }
done
SUITE=${MACVPN_LAB_DEBIAN:-trixie}
case $SUITE in *[!a-z]*|"") echo "build-image.sh: bad MACVPN_LAB_DEBIAN $SUITE" >&2; exit 2 ;; esac
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f $KEYRING ] || { echo "build-image.sh: $KEYRING missing (apt-get install debian-archive-keyring)" >&2; exit 2; }
# Private apt state for $SUITE: sources, lists and cache under $CACHE/apt/$SUITE.
APTDIR=$CACHE/apt/$SUITE
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/preferences.d"
printf 'deb [signed-by=%s] http://deb.debian.org/debian %s main\n' $KEYRING $SUITE $KEYRING $SUITE-updates > "$APTDIR/sources.list"
printf 'deb [signed-by=%s] http://deb.debian.org/debian-security %s main\n' $KEYRING $SUITE-security >> "$APTDIR/sources.list"
APTOPT=(-o "Dir::Etc::SourceList=$APTDIR/sources.list" -o Dir::Etc::SourceParts=/nonexistent
        -o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR/cache" -o Dir::State::status=/dev/null
        -o "Dir::Etc::Preferences=$APTDIR/preferences" -o "Dir::Etc::PreferencesParts=$APTDIR/preferences.d"
        -o Debug::NoLocking=1)
acache() { apt-cache "${APTOPT[@]}" "$@"; }
aget() { apt-get "${APTOPT[@]}" "$@"; }
# Refresh the lists when older than 6 hours (security updates change the versions and so the
# key); without the network, old lists are used as they are.
if [ -z "$(find "$APTDIR/lists" -maxdepth 1 -name '*Packages*' -mmin -360 2>/dev/null | head -1)" ]; then
    log "apt-get update ($SUITE, private state in $APTDIR)"
    { aget update 2>&1 || echo "UPDATE-FAILED"; } | grep -v -e unsandboxed -e '^Get:' -e '^Hit:' >&2 || true
fi

# Payload: the router (openiked), the Mac stand-in (strongSwan charon + swanctl, with the
# openssl plugin for ECP/GCM, eap-mschapv2 from extauth, eap-identity from extra), busybox for
# the shell and iproute2 for netns/veth/xfrm.
PAYLOAD="openiked strongswan-charon strongswan-swanctl libstrongswan strongswan-libcharon
         libstrongswan-standard-plugins libcharon-extauth-plugins libcharon-extra-plugins
         busybox-static iproute2"
# Kernel module trees put in the image (their modules.dep closure is added).
MODDIRS="kernel/net/key kernel/net/xfrm kernel/net/ipv4 kernel/net/ipv6 kernel/crypto
         kernel/arch/x86/crypto kernel/lib/crypto kernel/drivers/net/veth.ko
         kernel/drivers/net/dummy.ko"

# ---------------------------------------------------------------- resolve versions
# Library packages the payload depends on (recursively): their shared objects are copied
# into the image as needed. perl and PAM/elogind (an alternative to libsystemd0 that ships
# the same soname) are never needed by these binaries.
resolve() {
    local kpkg libs
    kpkg=$(acache show --no-all-versions linux-image-amd64 2>/dev/null |
           sed -n 's/^Depends: *\(linux-image-[0-9][^ ,(]*\).*/\1/p' | head -1)
    [ -n "$kpkg" ] || return 1
    libs=$(acache depends --recurse --no-recommends --no-suggests --no-conflicts \
               --no-breaks --no-replaces --no-enhances $PAYLOAD 2>/dev/null |
           grep -v '^ ' | grep -v '^<' | sort -u |
           grep -E '^(lib|zlib1g$)' | grep -vE -- '-perl$|^libperl|^libpam|^libelogind|^libdebian-installer|^libnewt|^libslang' |
           grep -vxF -f <(echo "$PAYLOAD" | tr ' ' '\n' | grep .))
    # OpenSSL's legacy provider (MD4/DES for EAP-MSCHAPv2) is in libssl3 up to bookworm and
    # its own package from trixie on
    acache show --no-all-versions openssl-provider-legacy >/dev/null 2>&1 && libs="$libs openssl-provider-legacy"
    echo "KERNEL $kpkg"
    echo "PAYLOAD $PAYLOAD" | tr -s ' \n' ' '; echo
    echo "LIBS $libs" | tr -s ' \n' ' '; echo
}
RES=$(resolve) || { echo "build-image.sh: cannot resolve linux-image-amd64 in $SUITE (apt-get update failed?)" >&2; exit 2; }
KPKG=$(echo "$RES" | sed -n 's/^KERNEL //p')
LIBS=$(echo "$RES" | sed -n 's/^LIBS //p')
ALL="$KPKG $PAYLOAD $LIBS"
# apt-get download --print-uris: 'URI' FILE SIZE SHA256:HASH, one per package (exact versions)
URIS=$(aget download --print-uris $ALL 2>/dev/null | sort) || true
[ "$(echo "$URIS" | grep -c .)" -eq "$(echo $ALL | wc -w)" ] ||
    { echo "build-image.sh: apt-get download --print-uris did not list every package" >&2; exit 2; }
KEY=$SUITE-$( { echo "$URIS" | awk '{print $2, $4}'; sha256sum < "$0"; } | sha256sum | cut -c1-12)
if [ $PRINT_KEY = 1 ]; then echo "$KEY"; exit 0; fi

IMG=$CACHE/images/$KEY
if [ $FORCE = 0 ] && [ -f "$IMG/base.cpio.gz" ] && [ -f "$IMG/vmlinuz" ] && [ -f "$IMG/VERSIONS" ]; then
    log "cached image $KEY"
    echo "$IMG"; exit 0
fi
T0=$(date +%s)

# ---------------------------------------------------------------- download
DEBS=$CACHE/debs
mkdir -p "$DEBS"
cd "$DEBS"
missing=""
while read -r uri file size hash; do
    [ -f "$file" ] || missing="$missing $(echo "$file" | sed 's/_.*//')"
done <<< "$URIS"
if [ -n "$missing" ]; then
    log "apt-get download$missing"
    aget download $missing 2>&1 | grep -v -e unsandboxed -e '^Get:' -e '^Fetched' >&2 || true
fi
debfile() { echo "$URIS" | awk -v p="$1" '{f=$2; sub(/_.*/, "", f); if (f == p) print $2}'; }
while read -r uri file size hash; do
    [ -f "$file" ] || { echo "build-image.sh: download of $file failed" >&2; exit 2; }
    echo "${hash#SHA256:}  $file"
done <<< "$URIS" | sha256sum -c --quiet - >&2 || { echo "build-image.sh: checksum mismatch in $DEBS" >&2; exit 2; }

# ---------------------------------------------------------------- unpack
BUILD=$CACHE/build.$KEY
rm -rf "$BUILD" "$CACHE"/build.*   # (also what failed builds left)
trap '[ "${KEEP_BUILD:-0}" = 1 ] || rm -rf "$BUILD" "$IMG.tmp.$$"' EXIT
PKGROOT=$BUILD/pkgroot LIBROOT=$BUILD/libroot KROOT=$BUILD/kernel ROOTFS=$BUILD/rootfs
mkdir -p "$PKGROOT" "$LIBROOT" "$KROOT" "$ROOTFS" "$BUILD/extra"
for p in $PAYLOAD; do
    [ $p = libcharon-extra-plugins ] && continue
    dpkg-deb -x "$DEBS/$(debfile $p)" "$PKGROOT"
done
# From libcharon-extra-plugins only eap-identity: a strongSwan client needs it to answer
# iked's EAP-Identity request (otherwise "EAP_IDENTITY not supported, sending EAP_NAK").
dpkg-deb -x "$DEBS/$(debfile libcharon-extra-plugins)" "$BUILD/extra"
for f in usr/lib/ipsec/plugins/libstrongswan-eap-identity.so etc/strongswan.d/charon/eap-identity.conf; do
    install -D -m 644 "$BUILD/extra/$f" "$PKGROOT/$f"
done
for p in $LIBS; do dpkg-deb -x "$DEBS/$(debfile $p)" "$LIBROOT"; done
dpkg-deb -x "$DEBS/$(debfile "$KPKG")" "$KROOT"
# bookworm ships /lib/modules, trixie (merged /usr) /usr/lib/modules
KMOD=$KROOT/lib/modules; [ -d "$KMOD" ] || KMOD=$KROOT/usr/lib/modules
KVER=$(ls "$KMOD" | head -1)
[ -n "$KVER" ] || { echo "build-image.sh: no modules in $KPKG" >&2; exit 2; }
log "kernel $KPKG ($KVER)"

# ---------------------------------------------------------------- rootfs
cd "$ROOTFS"
mkdir -p usr/bin usr/sbin usr/lib/x86_64-linux-gnu usr/lib64 proc sys dev run tmp etc root var/lib var/log
ln -s usr/bin bin; ln -s usr/sbin sbin; ln -s usr/lib lib; ln -s usr/lib64 lib64; ln -s ../run var/run
tar -C "$PKGROOT" -cf - . | tar -C "$ROOTFS" -xf - --keep-directory-symlink
rm -rf usr/share/doc usr/share/man usr/share/lintian usr/share/bug usr/share/strongswan \
       etc/apparmor.d etc/init.d lib/systemd usr/lib/systemd etc/logrotate.d \
       usr/lib/x86_64-linux-gnu/tc usr/share/locale   # tc qdisc plugins want libatm (not needed)
# busybox applets, never shadowing a real tool from a package (ip, tc, ...)
for a in $(usr/bin/busybox --list); do
    [ -e usr/bin/$a ] || [ -e usr/sbin/$a ] || ln -s busybox usr/bin/$a
done

# Shared libraries, resolved by the image's own loader against the staged trees only.
LDSO=$LIBROOT/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
[ -x "$LDSO" ] || LDSO=$LIBROOT/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
[ -x "$LDSO" ] || { echo "build-image.sh: no ld-linux-x86-64.so.2 in libc6" >&2; exit 2; }
LIBPATH="$ROOTFS/usr/lib/ipsec:$ROOTFS/usr/lib/x86_64-linux-gnu:$LIBROOT/lib/x86_64-linux-gnu:$LIBROOT/usr/lib/x86_64-linux-gnu"
place() {  # copy staged file $1 (symlinks resolved) into the rootfs under merged /usr
    local src=$1 rel dst
    case $src in
    "$ROOTFS"/*) return 0 ;;
    "$LIBROOT"/*) rel=${src#"$LIBROOT"} ;;
    *) echo "build-image.sh: $src resolved outside the staged packages" >&2; return 1 ;;
    esac
    rel=/usr${rel#/usr}
    dst=$ROOTFS$rel
    [ -e "$dst" ] && return 0
    mkdir -p "$(dirname "$dst")"; cp -L "$src" "$dst"
}
place "$LDSO"
ln -sf ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 usr/lib64/ld-linux-x86-64.so.2
# dlopen()ed, invisible to the loader's list: libgcc_s (pthread_cancel in charon/swanctl),
# OpenSSL 3 providers (legacy.so: MD4/DES for EAP-MSCHAPv2).
for f in "$LIBROOT"/lib/x86_64-linux-gnu/libgcc_s.so.1 "$LIBROOT"/usr/lib/x86_64-linux-gnu/libgcc_s.so.1 \
         "$LIBROOT"/usr/lib/x86_64-linux-gnu/ossl-modules/*.so; do
    [ -e "$f" ] && place "$f"
done
[ -e usr/lib/x86_64-linux-gnu/ossl-modules/legacy.so ] || { echo "build-image.sh: no OpenSSL legacy provider" >&2; exit 2; }
[ -e usr/lib/x86_64-linux-gnu/libgcc_s.so.1 ] || { echo "build-image.sh: no libgcc_s.so.1" >&2; exit 2; }
: > "$BUILD/unresolved"
find "$ROOTFS/usr" -type f | while read -r f; do
    [ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
    # static binaries (busybox) print no "=>" lines
    out=$("$LDSO" --library-path "$LIBPATH" --list "$f" 2>&1) || true
    echo "$out" | while read -r l; do
        case $l in
        *"not found"*) echo "$f: $l" >> "$BUILD/unresolved" ;;
        *"=> /"*) lib=$(echo "$l" | sed 's/.*=> \([^ ]*\).*/\1/'); place "$lib" || echo "$f: $l" >> "$BUILD/unresolved" ;;
        esac
    done
done
if [ -s "$BUILD/unresolved" ]; then
    echo "build-image.sh: unresolved libraries:" >&2; sort -u "$BUILD/unresolved" >&2; exit 2
fi

cat > etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
_iked:x:102:105:OpenIKED IKEv2 daemon:/var/lib/openiked/empty:/usr/sbin/nologin
EOF
printf 'root:x:0:\n_iked:x:105:\n' > etc/group
printf 'passwd: files\ngroup: files\nhosts: files\n' > etc/nsswitch.conf
echo '127.0.0.1 localhost' > etc/hosts
printf 'ip 0 IP\nicmp 1 ICMP\ntcp 6 TCP\nudp 17 UDP\nesp 50 ESP\n' > etc/protocols
mkdir -p var/lib/openiked/empty etc/iked/ca etc/iked/certs etc/iked/crls etc/iked/private etc/iked/pubkeys etc/swanctl
chmod 700 etc/iked/private
# charon logging (retransmits are set per boot by vm-init.sh); flush_line so that the log read
# right after a negotiation is complete.
cat > etc/strongswan.d/zz-lab.conf <<'EOF'
charon {
    filelog {
        lab {
            path = /tmp/charon.log
            time_format = %H:%M:%S
            ike_name = yes
            append = no
            flush_line = yes
            default = 1
            ike = 2
            cfg = 2
            knl = 1
        }
    }
    syslog {
        daemon {
            default = -1
        }
    }
}
swanctl {
    load = random nonce pem pkcs1 pkcs8 pkcs12 x509 revocation constraints pubkey openssl
}
EOF

# ---------------------------------------------------------------- modules
MSRC=$KMOD/$KVER
MDST=$ROOTFS/usr/lib/modules/$KVER
mkdir -p "$MDST"
# trixie compresses modules (.ko.xz): busybox depmod/modprobe want plain .ko
if [ -n "$(find "$MSRC" -name '*.ko.xz' -print -quit)" ]; then
    log "decompressing kernel modules"
    find "$MSRC" -name '*.ko.xz' -print0 | xargs -0 -n 64 -P "$(nproc)" xz -d
fi
"$ROOTFS/usr/bin/busybox" depmod -b "${KMOD%/lib/modules}" "$KVER"
want=$(cd "$MSRC" && for d in $MODDIRS; do [ -e "$d" ] && find "$d" -name '*.ko*'; done)
closure=$( { for m in $want; do echo "$m"; grep "^$m:" "$MSRC/modules.dep" | cut -d: -f2 | tr ' ' '\n' || true; done; } | grep . | sort -u)
for m in $closure; do mkdir -p "$MDST/$(dirname "$m")"; cp "$MSRC/$m" "$MDST/$m"; done
cp "$MSRC"/modules.builtin* "$MSRC"/modules.order "$MDST/" 2>/dev/null || true
"$ROOTFS/usr/bin/busybox" depmod -b "$ROOTFS" "$KVER"
log "$(echo "$closure" | wc -l) kernel modules"

# ---------------------------------------------------------------- pack
# /init is not in base.cpio.gz: run.mjs appends lab/vm-init.sh with the scenario inputs, so
# editing vm-init.sh needs no rebuild.
TMPIMG=$IMG.tmp.$$
rm -rf "$TMPIMG"; mkdir -p "$TMPIMG"
(cd "$ROOTFS" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$TMPIMG/base.cpio.gz"
cp "$KROOT/boot/vmlinuz-$KVER" "$TMPIMG/vmlinuz"
# The uncompressed ELF vmlinux boots through its PVH entry (no real-mode setup, no in-guest
# decompression): about 6 s faster per boot under TCG.
# bookworm's bzImage holds an xz stream, trixie's a zstd one (needs the host's zstd).
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$TMPIMG/vmlinuz" | head -1 | cut -d: -f1 || true)
if [ -n "$off" ]; then tail -c +$((off + 1)) "$TMPIMG/vmlinuz" | xz -dc > "$TMPIMG/vmlinux" 2>/dev/null || true
elif command -v zstd >/dev/null; then
    off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$TMPIMG/vmlinuz" | head -1 | cut -d: -f1 || true)
    [ -n "$off" ] && { tail -c +$((off + 1)) "$TMPIMG/vmlinuz" | zstd -dcq > "$TMPIMG/vmlinux" 2>/dev/null || true; }
fi
if [ "$(head -c4 "$TMPIMG/vmlinux" 2>/dev/null | od -An -c | tr -d ' ')" != '177ELF' ]; then
    rm -f "$TMPIMG/vmlinux"; log "no vmlinux extracted (the bzImage will be booted)"
fi
{
    echo "key $KEY"
    echo "kernel $KPKG ($KVER)"
    echo "$URIS" | awk '{print $2}'
    echo "built $(date -u +%FT%TZ)"
} > "$TMPIMG/VERSIONS"
rm -rf "$IMG"; mv "$TMPIMG" "$IMG"
log "initramfs $(du -h "$IMG/base.cpio.gz" | cut -f1), rootfs $(du -sh "$ROOTFS" | cut -f1), $(( $(date +%s) - T0 )) s"
[ "${KEEP_BUILD:-0}" = 1 ] || rm -rf "$BUILD"
# older images of this release are obsolete (other package versions or another build script)
for old in "$CACHE/images/$SUITE"-*; do [ "$old" = "$IMG" ] || rm -rf "$old"; done
echo "$IMG"
