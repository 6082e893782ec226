#!/usr/bin/env bash
# Prints a few lines about its target, then gives up with exit code 3 without touching it.
# All on stdout: the test checks the line order, which two pipes would not keep.
set -u
echo "checking ${TARGET_RESOURCE:-?}"
echo "replicas look wrong, scaling is needed"
echo "precondition failed: quorum of ${TARGET_RESOURCE:-?} not reached, refusing to scale"
exit 3
