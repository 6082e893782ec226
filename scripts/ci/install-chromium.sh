#!/usr/bin/env bash
# Installs Debian's `chromium` when missing, for the console's browser tests (playwright-core drives
# it through /usr/bin/chromium; Playwright's own browser download does not work on these machines).
# Prints its version.
# Usage: scripts/ci/install-chromium.sh
set -euo pipefail

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (apt)" >&2
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >&2
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium is still missing after the install" >&2
  exit 1
fi
# Without a pipe (see install-prometheus.sh): the whole output, then its first line.
version="$(chromium --version 2>/dev/null)"
echo "${version%%$'\n'*}"
