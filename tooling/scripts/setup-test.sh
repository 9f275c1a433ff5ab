#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian 12 + Node 20 machine: Chromium (browser tests),
# PyTorch and torchvision (interop fixtures and oracles), from Debian's packages, and pnpm from npm.
# Uses sudo only when not root (a fresh machine's root has no sudo). Safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium python3-torch python3-torchvision >/dev/null
# pnpm from npm (corepack's signature check fails against this registry).
PNPM_VERSION="12.4.2"
if ! command -v pnpm >/dev/null || [ "$(pnpm -v)" != "$PNPM_VERSION" ]; then
  npm i -g "pnpm@$PNPM_VERSION"
fi
