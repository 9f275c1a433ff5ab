#!/usr/bin/env bash
# Builds what the benchmark imports, then runs it (arguments pass through): see vs-pytorch.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
npx pnpm@12.4.2 turbo run build --filter=@resnet-ts/cli... >/dev/null
exec node bench/vs-pytorch.mjs "$@"
