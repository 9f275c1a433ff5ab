#!/usr/bin/env bash
# gpu.js's GPU paths in Node on a Linux machine with an NVIDIA GPU (no network needed).
# Prerequisites: Node 20, this repo with node_modules (pnpm install) and packages built
#   (pnpm turbo run build --filter=@resnet-ts/backend-gpujs...).
# Run from anywhere: bash packages/backend-gpujs/bench/gpu-device.sh
# Tries, each under a timeout, and prints a summary of what worked:
#   1. gpujs:webgpu through the `webgpu` npm package (Dawn) with a navigator.gpu shim:
#      Vulkan (NVIDIA ICD), Dawn's default, then GL ES (EGL surfaceless, compatibility adapter);
#   2. gpujs:headlessgl under xvfb-run, when the `gl` package is built;
#   3. baselines: the cpu reference backend and gpujs:webasm.
# Whole run: under 5 minutes (each attempt is capped: 60 s per GPU path, 45 s per baseline).
set -u
set -x
cd "$(dirname "$0")/.." || exit 1
BATCH=${BATCH:-32}
SIZE=${SIZE:-28}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-30}
SUMMARY=()
note() { SUMMARY+=("$1"); }

# ---- environment ----
node --version
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
ldd --version 2>&1 | head -1 || true
ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null || true
ldconfig -p 2>/dev/null | grep -E 'libvulkan|libEGL|libGLESv2|libnvidia-glcore' | head || true
test -f dist/index.js || { echo "dist/ missing: run pnpm turbo run build --filter=@resnet-ts/backend-gpujs..."; exit 1; }

run() { # name, timeout seconds, then the command
  local name=$1 limit=$2
  shift 2
  local log
  log=$(mktemp)
  timeout --kill-after=5 "$limit" "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local result
  result=$(grep 'RESULT' "$log" | tail -1 | sed 's/.*RESULT //')
  local check
  check=$(grep 'check vs cpu' "$log" | tail -1 | sed 's/.*check vs cpu/check/')
  if [ "$rc" = 0 ] && [ -n "$result" ]; then
    note "WORKED  $name: $result; $check"
  else
    note "FAILED  $name (exit $rc): $(grep -E 'Error|error' "$log" | head -1 | cut -c1-200)"
  fi
  rm -f "$log"
}

DEV="node bench/gpu-device.mjs --size $SIZE --batch $BATCH --seconds $SECONDS_PER_RUN --steps 300"

# ---- 1. WebGPU through Dawn ----
run "webgpu (dawn: vulkan)" 60 $DEV --backend gpujs:webgpu --dawn backend=vulkan
if [[ "${SUMMARY[-1]}" == WORKED* ]]; then
  note "SKIPPED webgpu (dawn: default): vulkan already worked"
else
  run "webgpu (dawn: default)" 60 $DEV --backend gpujs:webgpu
fi
run "webgpu (dawn: opengles, compatibility)" 60 \
  env EGL_PLATFORM=surfaceless $DEV --backend gpujs:webgpu --dawn backend=opengles --feature-level compatibility

# ---- 2. headless GL (needs the native `gl` module built and an X server) ----
if timeout 20 node -e "require('gl')" 2>/dev/null; then
  if command -v xvfb-run >/dev/null; then
    run "headlessgl (xvfb-run)" 60 xvfb-run -a -s "-screen 0 64x64x24" $DEV --backend gpujs:headlessgl
  else
    note "SKIPPED headlessgl: xvfb-run not installed (apt-get install xvfb)"
  fi
else
  note "SKIPPED headlessgl: the gl package is not built (its build is disabled in pnpm-workspace.yaml; needs libxi-dev libx11-dev libxext-dev and node-gyp)"
fi

# ---- 3. baselines on the CPU (few steps: they are slow) ----
run "gpujs:webasm (CPU baseline)" 45 node bench/gpu-device.mjs --backend gpujs:webasm --size "$SIZE" --batch 4 --steps 2 --seconds 5
run "cpu reference backend (CPU baseline)" 45 node bench/gpu-device.mjs --backend cpu --size "$SIZE" --batch 4 --steps 2 --seconds 5

set +x
echo
echo "================ gpu-device.sh summary ================"
for line in "${SUMMARY[@]}"; do echo "$line"; done
