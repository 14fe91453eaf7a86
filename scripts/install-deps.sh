#!/usr/bin/env bash
# Installs the Debian 12 packages madoguchi needs to build and test. Idempotent: the
# package index is refreshed only when something is missing. Run as root.
# --browser: also what the browser tests need (scripts/test.sh passes it).
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ clang libclang-rt-14-dev pkg-config
  # libraries (Boost 1.81, not Debian's default 1.74)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libssl-dev libsodium-dev libsqlite3-dev libicu-dev libtomlplusplus-dev
  libspdlog-dev libfmt-dev libcli11-dev
  # email: MIME (GMime 3), HTML to text (libxml2), SMTP to the relay (libcurl)
  libgmime-3.0-dev libxml2-dev libcurl4-openssl-dev
  # triage: kanji readings (MeCab with the IPA dictionary)
  libmecab-dev mecab-ipadic-utf8
  # tests and tools
  libgtest-dev libgmock-dev libyaml-cpp-dev sqlite3 openssl curl ca-certificates
  # email tests: a real MTA (Postfix, its own instance per test) and an SMTP client
  postfix swaks
  # outbound email tests: a real SMTP server (aiosmtpd) and an independent parser (Python's email)
  python3-aiosmtpd
  # Japanese glyphs for the console's pages and screenshots
  fonts-noto-cjk
)
if [[ "${1:-}" == "--browser" ]]; then
  # The console's browser test: Debian's Chromium (never a downloaded browser), driven by
  # playwright-core on Node.js; a machine that already has Node.js keeps its own.
  packages+=(chromium)
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
