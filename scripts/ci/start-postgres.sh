#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server (Debian's `postgresql` package, installed if missing) on a
# free loopback port for the DataStorage tests, and prints the connection URL on stdout.
# Usage: export KUBERNAUT_TEST_PG_URL="$(scripts/ci/start-postgres.sh)"
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "installing postgresql (apt)" >&2
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
fi
BIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")"

DATA="$(mktemp -d /tmp/kubernaut-pg-XXXXXX)"
PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
# PostgreSQL refuses to run as root: run it as the `postgres` user the package creates.
RUN=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$DATA"
  RUN=(runuser -u postgres --)
fi
"${RUN[@]}" "$BIN/initdb" -D "$DATA/db" -U postgres --auth=trust -E UTF8 >/dev/null
"${RUN[@]}" "$BIN/pg_ctl" -D "$DATA/db" -l "$DATA/log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DATA -c fsync=off -c max_connections=200" start >/dev/null
echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
