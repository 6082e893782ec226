#!/usr/bin/env bash
# Sleeps until stopped; IGNORE_TERM=1 makes it (and its children) ignore SIGTERM.
if [ "${IGNORE_TERM:-}" = 1 ]; then trap '' TERM; fi
if [ -n "${PID_FILE:-}" ]; then echo $$ > "$PID_FILE"; fi
echo "sleeping"
sleep 600
