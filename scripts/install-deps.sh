#!/usr/bin/env bash
# Installs the Debian 12 packages that MixNet Testbed builds and tests with. Idempotent: when
# everything is there it prints nothing and exits at once. Needs root (or sudo) only to install.
set -euo pipefail

packages=(
  build-essential cmake ninja-build lld pkg-config ccache
  libboost-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libcurl4-openssl-dev libssl-dev libyaml-cpp-dev libsqlite3-dev
  libnl-3-dev libnl-route-3-dev libibverbs-dev
  catch2 afl++
  iproute2 iperf3 procps psmisc curl python3
  # The lab's and the tests' throw-away certificate authorities are made with the openssl CLI.
  openssl
  # The health reports' tests: promtool (in Debian's prometheus package, which also ships a server
  # that systemd may start; `systemctl disable --now prometheus` if unwanted) and headless chromium.
  prometheus chromium
  # The nightly health check's Slurm integration test: a real slurmctld, slurmd and munge.
  slurmctld slurmd slurm-client munge
  # `make package` and its test: man pages from --help, dependencies (dpkg-shlibdeps), the
  # package checker, and systemd-analyze for the units (it reads their man: pages with man).
  help2man dpkg-dev lintian systemd man-db
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
