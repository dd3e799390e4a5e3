#!/usr/bin/env bash
# Installs what is missing, builds, and starts the gateway on its embedded defaults with the demo
# config (config/demo.toml). Then, in another terminal:  build/bin/minsheng-chat
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs" --target minsheng-gateway minsheng-chat minsheng-admin minsheng-nlu

cat <<'MSG'

  The gateway is starting with the demo config (config/demo.toml, database demo.db).
  Chat with it as a resident, through the real signed and encrypted protocol, in another terminal:

      build/bin/minsheng-chat --config config/demo.toml

  Operator API:  curl -H 'Authorization: Bearer demo-operator-token' http://127.0.0.1:8080/api/v1/cases
  Stop with Ctrl-C.

MSG
exec build/bin/minsheng-gateway --config config/demo.toml
