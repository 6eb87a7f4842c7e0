#!/usr/bin/env bash
# Installs the Debian packages tavolo needs that are missing (run as root, or with sudo).
set -euo pipefail

packages=(
    build-essential cmake pkg-config
    libuv1-dev libh2o-dev libssl-dev libjansson-dev libopenblas-dev libpq-dev libcmocka-dev
    libcsv-dev libsodium-dev libutf8proc-dev libxxhash-dev libstemmer-dev
    postgresql-15 postgresql-client-15
    python3 python3-jsonschema
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# The system cluster is never used: tavolo runs its own. Keep apt from starting it.
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
