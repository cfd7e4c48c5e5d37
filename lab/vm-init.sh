#!/bin/sh
# lab/vm-init.sh - /init of the lab VM (appended to the cached image by lab/run.mjs, so editing
# it needs no image rebuild). One boot = one router configuration and a list of cases run one
# after another against it:
#   /lab/boot.env                 ROUTER_IPS, MAC_IP, LAN_IPS, CASES, timeouts (see below)
#   /lab/hosts                    appended to /etc/hosts (profile RemoteAddress -> router)
#   /lab/router/etc/iked.conf     -> /etc/iked.conf   (the generated server tree, as adapted)
#   /lab/router/etc/iked/         -> /etc/iked/       (ca/, certs/, private/, crls/)
#   /lab/cases/ID/case.env        CONN, EXPECT (connect|refuse), MTU, PING, REFUSE_RE
#   /lab/cases/ID/swanctl/        swanctl.conf + x509/ x509ca/ private/ (from the profile)
# Network: netns "router" (iked; veth-r; LAN_IPS on lo = "behind the router") and netns "mac"
# (charon; veth-m), one veth pair, no NIC. Output: "@@ ..." marker lines on the serial console.
export PATH=/usr/sbin:/usr/bin
ip() { /usr/bin/ip "$@"; }   # busybox ash prefers its own (netns-less) ip applet
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run; mount -t tmpfs tmpfs /tmp
echo /usr/bin/modprobe > /proc/sys/kernel/modprobe
say() { echo "@@ $*"; }
up() { cut -d' ' -f1 /proc/uptime; }
size() { wc -c < "$1" 2>/dev/null || echo 0; }
dumpfile() { say "BEGIN $1"; cat "$2" 2>/dev/null; echo; say "END $1"; }
slice() { tail -c +$(( $2 + 1 )) "$1" 2>/dev/null | head -c $(( $3 - $2 )); }   # slice FILE FROM TO
finish() { say "DONE uptime=$(up)"; sync; poweroff -f; sleep 5; }
say "BOOT uptime=$(up) kernel=$(uname -r)"

# ---- defaults (boot.env overrides)
ROUTER_IPS=192.0.2.1 MAC_IP=192.0.2.2 PREFIX=24 LAN_IPS="" CASES=""
INIT_TIMEOUT=60            # swanctl --initiate --timeout, > charon's retransmit total (~26 s)
REFUSE_GRACE=3             # after iked logged a refusal, give charon this long before stopping
WATCHDOG=600
RETRANSMIT_TRIES=4 RETRANSMIT_TIMEOUT=2.0 RETRANSMIT_BASE=1.5
IKED_FLAGS="-dvv"          # -d foreground, -vv debug: needed for the readiness marker below
. /lab/boot.env
(sleep "$WATCHDOG"; say "FACT watchdog=fired"; finish) &

for m in af_key xfrm_user esp4 veth; do modprobe $m || say "FACT modprobe_failed=$m"; done
for m in esp4_offload xfrm_interface gcm ghash_clmulni_intel aesni_intel seqiv echainiv authenc \
         authencesn sha512_generic sha256_generic cbc ctr cryptd chacha20poly1305; do modprobe $m 2>/dev/null; done
[ -e /proc/net/pfkey ] && say "FACT pfkey=yes" || say "FACT pfkey=no"

# ---- network
ip netns add router; ip netns add mac
ip link add veth-r netns router type veth peer name veth-m netns mac
for ns in router mac; do ip -n $ns link set lo up; done
first=""
for a in $ROUTER_IPS; do
    [ -z "$first" ] && { first=$a; ip -n router addr add $a/$PREFIX dev veth-r; continue; }
    ip -n router addr add $a/32 dev veth-r
done
ip -n mac addr add $MAC_IP/$PREFIX dev veth-m
ip -n router link set veth-r up; ip -n mac link set veth-m up
for a in $ROUTER_IPS; do [ "$a" = "$first" ] || ip -n mac route add $a/32 dev veth-m; done
for a in $LAN_IPS; do ip -n router addr add $a/32 dev lo; done
ip -n router route add default dev veth-r     # back to the pool; XFRM policies divert into ESP
cat /lab/hosts >> /etc/hosts 2>/dev/null
say "NET ready uptime=$(up)"

# ---- router: the server tree exactly as shipped (modes kept; only ownership set, as root installs it)
cp /lab/router/etc/iked.conf /etc/iked.conf
cp -a /lab/router/etc/iked/. /etc/iked/
chown -R 0:0 /etc/iked /etc/iked.conf
say "FACT iked_conf_mode=$(stat -c %a /etc/iked.conf) local_key_mode=$(stat -c %a /etc/iked/private/local.key 2>/dev/null)"
iked -n -f /etc/iked.conf > /tmp/iked-configtest.log 2>&1; say "FACT iked_configtest_rc=$?"
iked -nv -f /etc/iked.conf > /tmp/iked-parsed.log 2>&1
ip netns exec router iked $IKED_FLAGS -f /etc/iked.conf > /tmp/iked.log 2>&1 &
IKED_PID=$!

# ---- Mac stand-in: charon in "mac" (started while iked initialises)
printf 'charon {\n retransmit_tries = %s\n retransmit_timeout = %s\n retransmit_base = %s\n}\n' \
    "$RETRANSMIT_TRIES" "$RETRANSMIT_TIMEOUT" "$RETRANSMIT_BASE" > /etc/strongswan.d/zzz-retransmit.conf
: > /etc/resolv.conf
ip netns exec mac /usr/lib/ipsec/charon > /tmp/charon.stdout 2>&1 &
i=0; while [ ! -S /run/charon.vici ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
# iked.sock appears long before the ikev2 process is configured, and the start-up reload frees
# every SA that exists then: wait for the last config_getstatic line (-vv) and one second more.
i=0; while ! grep -q 'config_getstatic: .*stickyaddress' /tmp/iked.log 2>/dev/null && [ $i -lt 400 ]; do
    kill -0 $IKED_PID 2>/dev/null || break; sleep 0.1; i=$((i+1)); done
grep -q 'config_getstatic: .*stickyaddress' /tmp/iked.log || { say "FACT iked_ready_marker=missing"; sleep 3; }
sleep 1
kill -0 $IKED_PID 2>/dev/null && say "FACT iked_running=1 uptime=$(up)" || say "FACT iked_running=0"
IKED_PRE=$(size /tmp/iked.log); CHARON_PRE=$(size /tmp/charon.log)

# ---- cases
for id in $CASES; do
    C=/lab/cases/$id
    CONN="" EXPECT=connect MTU=1500 NOFRAG=0 PING="" REFUSE_RE="" REKEY=0 CHARON_SETTINGS=""
    . $C/case.env
    say "CASE $id BEGIN uptime=$(up)"
    cf() { say "CFACT $id $*"; }
    ip -n router link set veth-r mtu $MTU; ip -n mac link set veth-m mtu $MTU
    # NOFRAG=1: the path drops IP fragments (as many NATs do): no reassembly in either netns,
    # so an IKE message larger than the MTU only gets through with RFC 7383 fragmentation
    for ns in router mac; do
        if [ "$NOFRAG" = 1 ]; then lo=0 hi=0; else lo=3145728 hi=4194304; fi
        ip netns exec $ns sh -c "echo $lo > /proc/sys/net/ipv4/ipfrag_low_thresh; echo $hi > /proc/sys/net/ipv4/ipfrag_high_thresh"
    done
    cf "ip_reassembly=$( [ "$(ip netns exec mac cat /proc/sys/net/ipv4/ipfrag_high_thresh)" = 0 ] && echo off || echo on)"
    cf "mtu_router=$(ip netns exec router cat /sys/class/net/veth-r/mtu) mtu_mac=$(ip netns exec mac cat /sys/class/net/veth-m/mtu)"
    : > /etc/resolv.conf
    # per-case charon settings (e.g. how the Mac signs AUTH), applied with --reload-settings
    printf 'charon {\n%s\n}\n' "$CHARON_SETTINGS" > /etc/strongswan.d/zzzz-case.conf
    ip netns exec mac swanctl --reload-settings > /dev/null 2>&1
    I0=$(size /tmp/iked.log); C0=$(size /tmp/charon.log)
    SWANCTL_DIR=$C/swanctl ip netns exec mac swanctl --load-all --clear > /tmp/case-load.log 2>&1
    cf "swanctl_load_rc=$?"
    T0=$(up)
    ip netns exec mac swanctl --initiate --ike "$CONN" --child "$CONN" --timeout "$INIT_TIMEOUT" > /tmp/case-initiate.log 2>&1 &
    INIT_PID=$!
    stopped=0
    # A refused Mac may never hear back (iked stays silent after a failed EAP login): once iked
    # has logged a refusal, give charon REFUSE_GRACE s to finish, then stop waiting.
    while kill -0 $INIT_PID 2>/dev/null; do
        if [ -n "$REFUSE_RE" ] && slice /tmp/iked.log $I0 $(size /tmp/iked.log) | grep -qE "$REFUSE_RE"; then
            g=0; while kill -0 $INIT_PID 2>/dev/null && [ $g -lt $((REFUSE_GRACE * 10)) ]; do sleep 0.1; g=$((g+1)); done
            kill -0 $INIT_PID 2>/dev/null && { kill $INIT_PID; stopped=1; }
            break
        fi
        sleep 0.2
    done
    wait $INIT_PID; RC=$?
    T1=$(up)
    cf "initiate_rc=$RC stopped_after_refusal=$stopped initiate_s=$(awk -v a=$T0 -v b=$T1 'BEGIN{printf "%.1f", b-a}')"
    sleep 0.3
    ip netns exec mac swanctl --list-sas > /tmp/case-sas.txt 2>&1
    VIP=$(sed -n 's/.*installing new virtual IP \([0-9.]*\).*/\1/p' /tmp/charon.log | tail -1)
    slice /tmp/charon.log $C0 $(size /tmp/charon.log) | grep -q "installing new virtual IP" || VIP=""
    cf "vip=${VIP:-none}"
    grep -q ESTABLISHED /tmp/case-sas.txt && cf "ike_established=1" || cf "ike_established=0"
    grep -q INSTALLED /tmp/case-sas.txt && cf "child_installed=1" || cf "child_installed=0"
    cf "resolv_conf=$(grep -o 'nameserver [0-9.]*' /etc/resolv.conf | awk '{print $2}' | tr '\n' ',' )"
    if [ -n "$PING" ] && [ -n "$VIP" ]; then
        ip netns exec mac ping -c 3 -W 2 $PING > /tmp/case-ping.log 2>&1 && P=ok || P=failed
        cf "ping=$P target=$PING"
    fi
    # ESP proof: packet counters of the router's inbound and outbound SAs
    ip -s -n router xfrm state > /tmp/case-xfrm-router.txt 2>&1
    ip -s -n mac xfrm state > /tmp/case-xfrm-mac.txt 2>&1
    cf "xfrm_states_router=$(grep -c '^src' /tmp/case-xfrm-router.txt) xfrm_states_mac=$(grep -c '^src' /tmp/case-xfrm-mac.txt)"
    # rekey the CHILD_SA (EnablePFS: with the child DH group) and the IKE SA, then ping again
    if [ "$REKEY" = 1 ] && [ -n "$VIP" ]; then
        n0=$(grep -c "CHILD_SA $CONN{[0-9]*} established" /tmp/charon.log)
        ip netns exec mac swanctl --rekey --child "$CONN" > /tmp/case-rekey.log 2>&1
        i=0; while [ $(grep -c "CHILD_SA $CONN{[0-9]*} established" /tmp/charon.log) -le $n0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
        [ $(grep -c "CHILD_SA $CONN{[0-9]*} established" /tmp/charon.log) -gt $n0 ] && cf "child_rekey=ok" || cf "child_rekey=failed"
        m0=$(grep -c "IKE_SA $CONN\[[0-9]*\] rekeyed\|IKE_SA $CONN\[[0-9]*\] established" /tmp/charon.log)
        ip netns exec mac swanctl --rekey --ike "$CONN" >> /tmp/case-rekey.log 2>&1
        i=0; while [ $(grep -c "IKE_SA $CONN\[[0-9]*\] rekeyed\|IKE_SA $CONN\[[0-9]*\] established" /tmp/charon.log) -le $m0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
        [ $(grep -c "IKE_SA $CONN\[[0-9]*\] rekeyed\|IKE_SA $CONN\[[0-9]*\] established" /tmp/charon.log) -gt $m0 ] && cf "ike_rekey=ok" || cf "ike_rekey=failed"
        sleep 0.5
        ip netns exec mac ping -c 2 -W 2 $PING >> /tmp/case-ping.log 2>&1 && cf "ping_after_rekey=ok" || cf "ping_after_rekey=failed"
    fi
    ikectl show sa > /tmp/case-ikectl.txt 2>&1
    ip netns exec mac swanctl --terminate --ike "$CONN" --timeout 5 > /tmp/case-terminate.log 2>&1
    sleep 0.5
    I1=$(size /tmp/iked.log); C1=$(size /tmp/charon.log)
    slice /tmp/iked.log $I0 $I1 > /tmp/case-iked.log; slice /tmp/charon.log $C0 $C1 > /tmp/case-charon.log
    for f in iked charon initiate sas ping rekey xfrm-router xfrm-mac ikectl load terminate; do
        [ -f /tmp/case-$f.log ] && dumpfile "$id:$f" /tmp/case-$f.log
        [ -f /tmp/case-$f.txt ] && dumpfile "$id:$f" /tmp/case-$f.txt
    done
    rm -f /tmp/case-*
    ip -n mac xfrm state flush; ip -n mac xfrm policy flush
    say "CASE $id END uptime=$(up)"
done

slice /tmp/iked.log 0 $IKED_PRE > /tmp/iked-startup.log
dumpfile boot:iked-configtest /tmp/iked-configtest.log
dumpfile boot:iked-parsed /tmp/iked-parsed.log
dumpfile boot:iked-startup /tmp/iked-startup.log
dumpfile boot:charon-stdout /tmp/charon.stdout
finish
