#!/usr/bin/env bash
# Content-free counts of the demo's store: `madoguchi stats` through scripts/demo-cli.sh.
exec "$(dirname "$0")/demo-cli.sh" stats "$@"
