#!/usr/bin/env bash
# Installs Debian's `shellcheck` when missing, for the test that lints the workflow scripts
# (test/workflows/shellcheck.test.ts); prints its version.
# Usage: scripts/ci/install-shellcheck.sh
set -euo pipefail

if ! command -v shellcheck >/dev/null 2>&1; then
  echo "installing shellcheck (apt)" >&2
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends shellcheck >&2
fi
command -v shellcheck >/dev/null 2>&1 || { echo "shellcheck is still missing after the install" >&2; exit 1; }
shellcheck --version | sed -n 2p
