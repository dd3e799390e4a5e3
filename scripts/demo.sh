#!/usr/bin/env bash
# Installs what is missing, builds, and starts the gateway on its embedded defaults with the demo
# config (config/demo.toml), delivering its notifications to a local fake of the WeChat API
# (tools/fake_wechat) so the whole loop can be watched. Then, in another terminal:
#   build/bin/minsheng-chat --config config/demo.toml
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs" --target minsheng-gateway minsheng-chat minsheng-admin minsheng-nlu \
  minsheng-fake-wechat

# The fake WeChat API on a free port; the gateway's outbox worker sends to it.
fake_out=$(mktemp)
build/bin/minsheng-fake-wechat --listen 127.0.0.1:0 --appid wxminshengdemo001 \
  --secret minsheng-demo-api-secret >"$fake_out" 2>/dev/null &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null; rm -f "$fake_out"' EXIT
for _ in $(seq 100); do
  grep -q '^listening on ' "$fake_out" && break
  sleep 0.1
done
fake_at=$(sed -n 's/^listening on //p' "$fake_out")
if [ -z "$fake_at" ]; then
  echo "the fake WeChat API did not start" >&2
  exit 1
fi
export MINSHENG_WECHAT_API_BASE="http://$fake_at"
export MINSHENG_WECHAT_API_APPID=wxminshengdemo001
export MINSHENG_WECHAT_API_SECRET=minsheng-demo-api-secret
# SMS too (12345 callers without WeChat, the codes that verify a phone): the fake records them.
export MINSHENG_SMS_WEBHOOK="http://$fake_at/sms"

cat <<'MSG'

  The gateway is starting with the demo config (config/demo.toml, database demo.db).
  Chat with it as a resident, through the real signed and encrypted protocol, in another terminal:

      build/bin/minsheng-chat --config config/demo.toml

  Operator API:  curl -H 'Authorization: Bearer demo-operator-token-for-local-use-only' http://127.0.0.1:8080/api/v1/cases
  Wish wall:     curl http://127.0.0.1:8080/public/v1/wall
  Web console:   http://127.0.0.1:8080/console/  (sign in with the operator token above, or a
                 case worker's token: build/bin/minsheng-admin staff add --db demo.db --id w-01 \
                 --name 张三 --role worker --community 东城社区, then token issue --staff w-01)
  Staff on WeChat: build/bin/minsheng-admin staff bind-code --db demo.db --id w-01 prints a code;
                 in minsheng-chat, /user o_worker then 绑定工号 <code>: the worker's notifications
                 (urgent cases, assignments, reminders) then reach o_worker at the fake API
  Open311:       curl http://127.0.0.1:8080/open311/v2/services.json
  Mini program:  POST /mp/v1/login {"code":"any"} against the fake (docs/miniprogram.md)
MSG
cat <<MSG
  Notifications go to the fake WeChat API, SMS to its /sms; see what it received:
                 curl http://$fake_at/fake/received
  Phone:         in minsheng-chat, 绑定手机 13800138000; the SMS code is in /fake/received
                 (path /sms); send 验证码 <code> back
  Stop with Ctrl-C.

MSG
build/bin/minsheng-gateway --config config/demo.toml
