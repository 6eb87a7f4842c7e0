#!/usr/bin/env bash
# Installs the Debian packages tavolo needs that are missing (run as root, or with sudo).
set -euo pipefail

packages=(
    build-essential cmake pkg-config clang libclang-rt-14-dev
    libuv1-dev libh2o-dev libssl-dev libjansson-dev libopenblas-dev libdnnl-dev libpq-dev libcmocka-dev
    libcsv-dev libsodium-dev libutf8proc-dev libxxhash-dev libstemmer-dev libglpk-dev libical-dev
    libgmime-3.0-dev
    # The mail delivery worker sends over SMTP with libcurl (api/app/mail_delivery.c); the mail
    # tests and bench/mail.sh run a real SMTP server, aiosmtpd, on loopback; pg.mail_tls makes
    # that server's CA and certificate with the openssl command (not in a minimal Debian).
    libcurl4-openssl-dev python3-aiosmtpd openssl
    postgresql-15 postgresql-client-15
    python3 python3-jsonschema python3-numpy python3-faiss python3-icalendar gnuplot-nox
    # What the scripts and tests call that a minimal Debian 12 lacks (debootstrap
    # --variant=minbase; scripts/check-minimal-debian.sh checks it): curl (the api.* tests, the
    # commands scripts/run.sh prints), python3-dateutil (unit.ics), python3-yaml (the HTTP
    # fuzzer; clang and libclang-rt-14-dev above are libFuzzer's, for scripts/fuzz.sh), and for
    # scripts/fuzz.sh's clang build: libomp-14-dev (clang's omp.h, which engine/match/screen.c
    # includes) and llvm-14 (llvm-symbolizer, without which a sanitizer report has no file and
    # line). tzdata: libical, Python's zoneinfo and the digest's Europe/Rome read the system's
    # zone database, which Debian 12 installs as a required package but later releases do not.
    curl tzdata python3-dateutil python3-yaml libomp-14-dev llvm-14
    # bench/run and bench/mixed_load.sh drive the daemon with wrk; bench/http.sh,
    # bench/web_pages.sh and bench/notify.sh time their steps with bc.
    wrk bc
    # api.feed and bench/feed.sh put two daemons behind a real load balancer.
    haproxy
    # The web.* tests (tests/web/) open the pages in headless Chromium through Debian's
    # chromedriver and selenium, read its console for errors and CSP violations and take
    # screenshots; nothing is downloaded by the tests themselves.
    chromium chromium-driver python3-selenium
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing+=("$p")
    fi
done

# node (>= 18.17) and npm run the OpenAPI validator of the unit.openapi test. Any install will
# do: Debian's nodejs and npm, or NodeSource's nodejs, which bundles npm and conflicts with
# Debian's npm package. So look for the commands, not for the packages.
node_missing=()
command -v node >/dev/null 2>&1 || node_missing+=(nodejs)
command -v npm >/dev/null 2>&1 || node_missing+=(npm)

[ ${#missing[@]} -eq 0 ] && [ ${#node_missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# The system cluster is never used: tavolo runs its own. Keep apt from starting it.
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ${#node_missing[@]} -gt 0 ]; then
    echo "installing: ${node_missing[*]}"
    # Not fatal: tavolo builds and runs without node; only unit.openapi needs it, and that
    # test fails with its own message until node and npm are on PATH.
    if ! $sudo apt-get install -y -qq --no-install-recommends "${node_missing[@]}" >/dev/null; then
        echo "deps.sh: could not install ${node_missing[*]}; the unit.openapi test will fail" \
            "until node (>= 18.17) and npm are on PATH" >&2
    fi
fi
