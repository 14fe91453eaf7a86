#!/usr/bin/env bash
# Content-free counts of the demo's store.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export MADOGUCHI_DATA_DIR="${MADOGUCHI_DATA_DIR:-$root/data}"
set -a
# shellcheck disable=SC1091
. "$MADOGUCHI_DATA_DIR/demo-secrets.env"
set +a
exec "$root/build/demo/gateway/madoguchi" stats --config "$root/config/demo.toml" "$@"
