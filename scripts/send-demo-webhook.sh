#!/usr/bin/env bash
# Sends one signed LINE text-message webhook to the running demo, as LINE would.
# Usage: scripts/send-demo-webhook.sh "本文" [userId]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${MADOGUCHI_DATA_DIR:-$root/data}"
listen="${MADOGUCHI_LISTEN:-127.0.0.1:8080}"
set -a
# shellcheck disable=SC1091
. "$data/demo-secrets.env"
set +a
text="${1:-こんにちは}"
user="${2:-U$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')}"
now_ms=$(($(date +%s%N) / 1000000))
event_id="01DEMO$(od -An -tx1 -N10 /dev/urandom | tr -d ' \n' | tr a-f A-F)"
# JSON string escaping of the text via python-free sed: backslash and double quote only.
escaped=$(printf '%s' "$text" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
body=$(printf '{"destination":"Udemo","events":[{"type":"message","mode":"active","timestamp":%s,"source":{"type":"user","userId":"%s"},"webhookEventId":"%s","deliveryContext":{"isRedelivery":false},"replyToken":"demo-reply-token","message":{"id":"%s","type":"text","quoteToken":"demo-quote","text":"%s"}}]}' \
  "$now_ms" "$user" "$event_id" "$now_ms" "$escaped")
signature=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$MADOGUCHI_LINE_CHANNEL_SECRET" -binary | base64 -w0)
curl -sS -X POST "http://$listen/webhooks/line/demo" \
  -H "content-type: application/json" -H "x-line-signature: $signature" --data-binary "$body"
echo
