#!/usr/bin/env bash
# Installs what is needed, builds madoguchi and starts it with config/demo.toml.
# Data (SQLite database, keys, demo secrets) goes to $MADOGUCHI_DATA_DIR (default ./data).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

scripts/install-deps.sh
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DMADOGUCHI_TESTS=OFF >/dev/null
ninja -C build/demo madoguchi

export MADOGUCHI_DATA_DIR="${MADOGUCHI_DATA_DIR:-$root/data}"
export MADOGUCHI_LISTEN="${MADOGUCHI_LISTEN:-127.0.0.1:8080}"
export MADOGUCHI_LMTP_LISTEN="${MADOGUCHI_LMTP_LISTEN:-127.0.0.1:2424}"
# Password of the demo staff accounts (created at first start; changing it later does not
# change existing accounts).
export MADOGUCHI_DEMO_PASSWORD="${MADOGUCHI_DEMO_PASSWORD:-madoguchi-demo-2026}"
mkdir -p "$MADOGUCHI_DATA_DIR"
chmod 700 "$MADOGUCHI_DATA_DIR"

# Demo-only secrets, generated once and kept beside the data. A real deployment gets
# them from the LINE Developers console and its own secret store.
secrets="$MADOGUCHI_DATA_DIR/demo-secrets.env"
if [[ ! -f "$secrets" ]]; then
  random() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
  umask 077
  cat >"$secrets" <<SECRETS
MADOGUCHI_LINE_CHANNEL_SECRET=$(random 16)
MADOGUCHI_LINE_ACCESS_TOKEN=demo-$(random 24)
MADOGUCHI_KEY_PASSPHRASE=$(random 24)
SECRETS
fi
# Added with the demo's mail account: a data directory from before it gets its secret too.
if ! grep -q '^MADOGUCHI_EMAIL_THREAD_SECRET=' "$secrets"; then
  echo "MADOGUCHI_EMAIL_THREAD_SECRET=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')" >>"$secrets"
fi
set -a
# shellcheck disable=SC1090
. "$secrets"
set +a

cat <<INFO

== madoguchi デモ / demo
  設定 / config:          config/demo.toml
  データ / data:          $MADOGUCHI_DATA_DIR
  LINE Webhook URL:       http://$MADOGUCHI_LISTEN/webhooks/line/demo
  チャネルシークレット:   $MADOGUCHI_LINE_CHANNEL_SECRET   (demo only; in $secrets)
  署名付きテスト送信 / send a signed test webhook:
      scripts/send-demo-webhook.sh "こんにちは、相談したいです"
  メール / mail (LMTP):   soudan@demo-city.example ← lmtp:inet:$MADOGUCHI_LMTP_LISTEN
  メールを1通届ける / deliver a test mail (ISO-2022-JP, as Postfix would over LMTP):
      scripts/send-demo-mail.sh "息子のことでご相談" "はじめてご連絡します。"
  集計 / stats:           scripts/demo-stats.sh
  相談員コンソール / console: http://$MADOGUCHI_LISTEN/console/  (logins below)

INFO
exec build/demo/gateway/madoguchi serve --config config/demo.toml
