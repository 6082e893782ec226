#!/usr/bin/env bash
echo "about to fail" >&2
exit "${EXIT_CODE:-1}"
