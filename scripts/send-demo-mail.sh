#!/usr/bin/env bash
# Delivers one mail to the running demo's mail account over LMTP, as the window's Postfix
# would, encoded as Japanese mailers and carrier phones still send it (ISO-2022-JP, 7bit).
# Usage: scripts/send-demo-mail.sh "件名" "本文" [from-address]
# Prints the LMTP answer: 250 once the mail is committed (encrypted) in the demo's store.
set -euo pipefail
lmtp="${MADOGUCHI_LMTP_LISTEN:-127.0.0.1:2424}"
subject="${1:-ご相談}"
body="${2:-はじめてご連絡します。}"
from="${3:-family-$(od -An -tx1 -N4 /dev/urandom | tr -d ' \n')@example.jp}"

jis() { printf '%s' "$1" | iconv -f UTF-8 -t ISO-2022-JP; }
message="$(mktemp)"
trap 'rm -f "$message"' EXIT
{
  printf 'From: %s\r\n' "$from"
  printf 'To: soudan@demo-city.example\r\n'
  printf 'Subject: =?ISO-2022-JP?B?%s?=\r\n' "$(jis "$subject" | base64 -w0)"
  printf 'Date: %s\r\n' "$(LC_ALL=C date -R)"
  printf 'Message-ID: <%s.demo@example.jp>\r\n' "$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
  printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n'
  jis "$body" | sed 's/$/\r/'
  printf '\r\n'
} >"$message"

# swaks exits non-zero unless every step was accepted; the line after the final dot is the
# gateway's answer for the mail.
status=0
transcript="$(swaks --protocol LMTP --server "$lmtp" --helo mx.demo-city.example --from "$from" \
  --to soudan@demo-city.example --data "@$message" --hide-informational --timeout 20 2>&1)" || status=$?
answer="$(printf '%s\n' "$transcript" | awk '/^ -> \.$/ { getline; sub(/^<[-~] +/, ""); print; exit }')"
if ((status)) || [[ -z "$answer" ]]; then
  printf '%s\n' "$transcript" >&2
  exit "${status:-1}"
fi
echo "$answer"
