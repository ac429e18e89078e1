#!/usr/bin/env bash
# IPOPT 3.11.9 from Debian's packages, for the IPOPT comparison of Dsl.Benchmarks only (EPL; never shipped with OptDsl).
set -euo pipefail
if [ -e /usr/lib/libipopt.so ] || ldconfig -p 2>/dev/null | grep -q libipopt.so; then exit 0; fi
if [ "$(id -u)" = 0 ]; then apt_get=apt-get; else apt_get="sudo apt-get"; fi
$apt_get update -qq
DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq coinor-libipopt-dev
