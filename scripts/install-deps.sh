#!/usr/bin/env bash
# Installs what minsheng needs on Debian 12, skipping what is already there. Run as root
# (or with sudo available). Extra package names on the command line are installed too.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang-format
  libboost-dev libssl-dev libicu-dev libsqlitecpp-dev libsqlite3-dev libre2-dev
  catch2 nlohmann-json3-dev libpugixml-dev libspdlog-dev libcli11-dev libtoml11-dev
  libpq-dev postgresql
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
