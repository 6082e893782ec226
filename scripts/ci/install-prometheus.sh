#!/usr/bin/env bash
# Installs Debian's `prometheus` (prometheus, promtool) and `prometheus-alertmanager`
# (prometheus-alertmanager, amtool) when missing, for the `--prometheus external` tests; prints
# their versions. The packages' own services are not used: the tests start the binaries themselves.
# Usage: scripts/ci/install-prometheus.sh
set -euo pipefail

missing=()
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing ${missing[*]} (apt)" >&2
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  # On a systemd host the packages start their services (ports 9090, 9093); the tests run their
  # own instances, so stop the ones this install just started and keep the default ports free.
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now prometheus prometheus-alertmanager >/dev/null 2>&1 || true
  fi
fi

for bin in prometheus promtool prometheus-alertmanager amtool; do
  if ! command -v "$bin" >/dev/null 2>&1; then
    echo "$bin is still missing after the install" >&2
    exit 1
  fi
done
# The first line of each version, without a pipe: `| head -1` could exit before the binary finished
# writing, and the SIGPIPE it then gets fails the script under pipefail.
for bin in prometheus prometheus-alertmanager; do
  version="$("$bin" --version 2>&1)"
  echo "${version%%$'\n'*}"
done
