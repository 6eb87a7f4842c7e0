#!/usr/bin/env bash
# For maintainers, not run by CI: checks that the README's two commands work on a minimal
# Debian 12, i.e. that scripts/deps.sh installs every program the scripts and tests call.
#
# Usage (as root): scripts/check-minimal-debian.sh [--reuse] [--no-run-sh] [REPO [COMMIT]]
#
# 1. Makes a `debootstrap --variant=minbase bookworm` chroot in $TAVOLO_CHROOT (default
#    /srv/minbase), once, and keeps a pristine copy of it in $TAVOLO_CHROOT-pristine.tar. Each
#    run starts from that copy, so that deps.sh installs everything again; --reuse keeps the
#    packages installed by the previous run (faster, for iterating on one failure).
# 2. Clones REPO (default: the repository this script is in) at COMMIT (default: its HEAD) into
#    /root/tavolo in the chroot. Uncommitted changes are not checked.
# 3. Runs the second command as CI does, `CI=true bash .ci/run </dev/null`, with an empty
#    environment (no LANG, no TTY), and prints ctest's summaries and the time taken.
# 4. Unless --no-run-sh: the first command, scripts/run.sh, until the daemon serves; then
#    GET /healthz with curl, and stops the daemon and the cluster.
#
# The chroot shares this machine's network: /etc/resolv.conf, the extra CA certificates in
# /usr/local/share/ca-certificates and /etc/npmrc are copied in, for networks whose proxy
# re-signs TLS (npm fetches the OpenAPI validators). The mirror is the first Debian one of
# this machine's apt sources ($DEBIAN_MIRROR overrides it). A policy-rc.d keeps apt from
# starting services (PostgreSQL's system cluster) in the chroot. Logs: $TAVOLO_CHROOT.log/.
# Exit status: 0 when every step passed.
set -euo pipefail

chroot_dir=${TAVOLO_CHROOT:-/srv/minbase}
pristine=$chroot_dir-pristine.tar
logs=$chroot_dir.log
reuse=0
run_sh=1
while [ $# -gt 0 ]; do
    case $1 in
    --reuse) reuse=1 ;;
    --no-run-sh) run_sh=0 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
    shift
done
repo=$(cd "${1:-$(dirname "$0")/..}" && pwd)
commit=$(git -C "$repo" rev-parse --verify "${2:-HEAD}^{commit}")
[ "$(id -u)" -eq 0 ] || { echo "run as root (debootstrap, chroot, mount)" >&2; exit 2; }
case $chroot_dir in /?*) ;; *) echo "TAVOLO_CHROOT must be an absolute path" >&2; exit 2 ;; esac

# The first Debian mirror of this machine's apt sources (one-line or deb822 style).
host_mirror() {
    local uri
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -oE '^(deb|URIs:)[[:space:]]+(\[[^]]*\][[:space:]]+)?[a-z]+://[^[:space:]]+/debian/?' |
        grep -oE '[a-z]+://[^[:space:]]+' | head -n 1)
    echo "${uri:-http://deb.debian.org/debian}"
}
mirror=${DEBIAN_MIRROR:-$(host_mirror)}
mirror=${mirror%/}

mounted() {
    findmnt -r -n -o TARGET | grep -F "$chroot_dir/" || true
}

unmount_all() {
    local m
    for m in dev/shm dev/pts sys proc; do
        mountpoint -q "$chroot_dir/$m" && umount -l "$chroot_dir/$m"
    done
    if [ -n "$(mounted)" ]; then
        echo "still mounted under $chroot_dir:" >&2
        mounted >&2
        return 1
    fi
}

# Fresh mounts of its own (no bind mounts), so that removing the chroot can never reach this
# machine's /dev/shm or /dev/pts.
mount_all() {
    mount -t proc proc "$chroot_dir/proc"
    mount -t sysfs -o ro sysfs "$chroot_dir/sys"
    mount -t devpts -o newinstance,ptmxmode=0666,gid=5,mode=620 devpts "$chroot_dir/dev/pts"
    mount -t tmpfs -o mode=1777,nosuid,nodev shm "$chroot_dir/dev/shm"
}

remove_chroot() {
    unmount_all
    rm -rf --one-file-system "$chroot_dir"
}

make_pristine() {
    if ! command -v debootstrap >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    echo "debootstrap --variant=minbase bookworm $chroot_dir $mirror"
    remove_chroot
    debootstrap --variant=minbase bookworm "$chroot_dir" "$mirror" >"$logs/debootstrap.log" 2>&1 ||
        { tail -n 20 "$logs/debootstrap.log" >&2; exit 1; }
    tar -C "$chroot_dir" --one-file-system -cf "$pristine.tmp" .
    mv "$pristine.tmp" "$pristine"
}

# What a fresh Debian 12 install has and a bare debootstrap lacks: the updates and security
# suites. And what this network needs: DNS, its CA certificates, npm's CA setting.
configure_chroot() {
    local security=${DEBIAN_SECURITY_MIRROR:-${mirror%/debian}/debian-security}
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
        "$mirror" "$mirror" "$security" >"$chroot_dir/etc/apt/sources.list"
    printf '#!/bin/sh\nexit 101\n' >"$chroot_dir/usr/sbin/policy-rc.d"
    chmod 755 "$chroot_dir/usr/sbin/policy-rc.d"
    cp -L /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
    if [ -d /usr/local/share/ca-certificates ]; then
        mkdir -p "$chroot_dir/usr/local/share/ca-certificates"
        cp -r /usr/local/share/ca-certificates/. "$chroot_dir/usr/local/share/ca-certificates/"
    fi
    [ -f /etc/npmrc ] && cp /etc/npmrc "$chroot_dir/etc/npmrc"
    return 0
}

prepare_chroot() {
    mkdir -p "$logs"
    [ -f "$pristine" ] || make_pristine
    if [ "$reuse" -eq 0 ] || [ ! -x "$chroot_dir/bin/bash" ]; then
        echo "restoring the pristine minbase chroot into $chroot_dir"
        remove_chroot
        mkdir -p "$chroot_dir"
        tar -C "$chroot_dir" -xf "$pristine"
    fi
    unmount_all
    configure_chroot
    rm -rf --one-file-system "$chroot_dir/root/tavolo"
    git clone -q --no-checkout "$repo" "$chroot_dir/root/tavolo"
    git -C "$chroot_dir/root/tavolo" -c advice.detachedHead=false checkout -q "$commit"
    echo "cloned $repo at $(git -C "$repo" log -1 --format='%h %s' "$commit")"
}

# in_chroot COMMAND: runs a bash command in /root/tavolo in the chroot, with a bare
# environment and no standard input, as CI would.
in_chroot() {
    chroot "$chroot_dir" /usr/bin/env -i HOME=/root USER=root CI=true \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        /bin/bash -c "cd /root/tavolo && $1" </dev/null
}

check_ci() {
    local start rc=0
    start=$(date +%s)
    echo "running CI=true bash .ci/run in the chroot (log: $logs/ci.log)"
    in_chroot 'bash .ci/run' >"$logs/ci.log" 2>&1 || rc=$?
    # What deps.sh installed, and the summaries of ctest (twice) and scripts/fuzz.sh.
    grep -E -e '^(installing:|deps.sh:|fuzzing took|fuzz_.*FAILED)' \
        -e '^[0-9]+ passed, [0-9]+ failed$|tests passed|tests failed|Total Test time' \
        -e 'The following tests|^[[:space:]]+[0-9]+ - ' "$logs/ci.log" || true
    echo "CI=true bash .ci/run: exit status $rc after $(($(date +%s) - start)) s"
    [ "$rc" -eq 0 ] || tail -n 30 "$logs/ci.log"
    return "$rc"
}

# The first command until the daemon serves; a port of its own, since the chroot shares this
# machine's network.
RUN_SH_CHECK='
port=$((20000 + RANDOM % 20000))
export TAVOLO_LISTEN=127.0.0.1:$port
scripts/run.sh >/root/run-sh.log 2>&1 &
pid=$!
for _ in $(seq 900); do
    grep -q "^tavolo serves on" /root/run-sh.log && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
done
for _ in $(seq 20); do
    curl -sf --max-time 2 "http://$TAVOLO_LISTEN/healthz" >/root/healthz.json && break
    sleep 0.5
done
rc=1
if [ -s /root/healthz.json ]; then
    echo "GET /healthz: $(cat /root/healthz.json)"
    rc=0
fi
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
TAVOLO_HOME=$PWD/var build/tavolo db stop >/dev/null 2>&1
[ "$rc" -eq 0 ] || tail -n 30 /root/run-sh.log
exit "$rc"'

check_run_sh() {
    local start rc=0
    start=$(date +%s)
    echo "running scripts/run.sh in the chroot until the daemon serves (log: $logs/run-sh.log)"
    in_chroot "$RUN_SH_CHECK" || rc=$?
    cp "$chroot_dir/root/run-sh.log" "$logs/run-sh.log" 2>/dev/null || true
    echo "scripts/run.sh: $([ "$rc" -eq 0 ] && echo served || echo FAILED) after" \
        "$(($(date +%s) - start)) s"
    return "$rc"
}

trap 'unmount_all' EXIT
trap 'exit 130' INT TERM
prepare_chroot
mount_all
status=0
check_ci || status=1
if [ "$run_sh" -eq 1 ]; then
    check_run_sh || status=1
fi
echo "minimal Debian 12 check: $([ "$status" -eq 0 ] && echo passed || echo FAILED)"
exit "$status"
