#!/usr/bin/env bash
# Runs one madoguchi command against the running demo's configuration and data, with the
# secrets scripts/demo.sh generated:  scripts/demo-cli.sh outbox list
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ $# -eq 0 ]]; then
  echo "使い方 / usage: scripts/demo-cli.sh COMMAND [ARGS…]   (e.g. outbox list, stats, audit verify)" >&2
  exit 2
fi
export MADOGUCHI_DATA_DIR="${MADOGUCHI_DATA_DIR:-$root/data}"
secrets="$MADOGUCHI_DATA_DIR/demo-secrets.env"
if [[ ! -f "$secrets" ]]; then
  echo "デモのデータがありません。先に scripts/demo.sh を起動してください / no demo data: start scripts/demo.sh first ($secrets)" >&2
  exit 1
fi
set -a
# shellcheck disable=SC1090
. "$secrets"
set +a
export MADOGUCHI_DEMO_PASSWORD="${MADOGUCHI_DEMO_PASSWORD:-madoguchi-demo-2026}"
exec "$root/build/demo/gateway/madoguchi" "$@" --config "$root/config/demo.toml"
