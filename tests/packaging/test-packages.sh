#!/usr/bin/env bash
# The package test (ctest `packages`, docs/packaging.md): makes the .deb packages from an existing
# build folder (cpack copies what is built; nothing is compiled again unless a program is out of
# date), installs them with `dpkg --root` into a scratch folder, and checks what a user gets:
#   - the files each package holds, and none outside the FHS places packages may use;
#   - Depends: real Debian packages, each installed on this Debian 12 machine at the version asked;
#   - every installed binary's --version (the CMake version and the git revision) and --help,
#     and that its man page names every option --help lists, its subcommands' too;
#   - the installed mixnet-coord finds the installed playbooks with no variable set;
#   - systemd-analyze verify on the units, inside the scratch root (ExecStart must resolve there);
#   - the agent's unit line refuses an empty listen address, as the unconfigured unit would run it;
#   - lintian: no errors (its warnings and notes are printed, not fatal);
#   - a tarball build's revision says it has none (cmake/GitRevision.cmake outside git);
#   - dpkg --purge leaves nothing behind.
# Usage: test-packages.sh BUILD_DIR SOURCE_DIR VERSION   (root: dpkg keeps root ownership)
set -euo pipefail
build=$(realpath "$1")
source_dir=$(realpath "$2")
version=$3
packages=(mixnet-agent mixnet-coord mixnet-tools)

failures=0
check_failed() { echo "FAIL: $*"; failures=$((failures + 1)); }
die() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (dpkg --root keeps files owned by root); run it through 'make test' as root"
for tool in cpack dpkg dpkg-deb lintian systemd-analyze man help2man; do
  command -v "$tool" >/dev/null || die "$tool is missing: scripts/install-deps.sh installs it"
done

scratch=$(mktemp -d /tmp/mixnet-packages-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
root=$scratch/root
out=$scratch/out
mkdir -p "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/info" "$out"
touch "$root/var/lib/dpkg/status"
# --path-include='*': a machine whose dpkg.cfg.d drops man pages and docs (Debian's container
# images do) must still install everything here, where the test looks for them.
dpkg_root() { timeout 120 dpkg --root="$root" --log="$scratch/dpkg.log" --path-include='*' "$@"; }

echo "== building the packages from $build"
timeout 300 cmake --build "$build" --target mixnet_package_contents >"$scratch/build.log" 2>&1 ||
  { cat "$scratch/build.log"; die "the packages' contents did not build"; }
timeout 300 cpack --config "$build/CPackConfig.cmake" -B "$out" >"$scratch/cpack.log" 2>&1 ||
  { cat "$scratch/cpack.log"; die "cpack failed"; }
debs=()
for p in "${packages[@]}"; do
  deb="$out/${p}_${version}_amd64.deb"
  [ -f "$deb" ] || die "no $deb (cpack made: $(ls "$out"))"
  debs+=("$deb")
done

echo "== the packages' files"
# Depends of our own packages aside, every dependency is checked against this machine below, so
# the scratch root need not hold Debian's libraries.
dpkg_root --force-depends -i "${debs[@]}" >"$scratch/install.log" 2>&1 ||
  { cat "$scratch/install.log"; die "dpkg -i failed"; }
declare -A want=(
  [mixnet-agent]="/usr/bin/mixnet-agent /lib/systemd/system/mixnet-agent.service /etc/default/mixnet-agent
    /usr/share/man/man8/mixnet-agent.8.gz /usr/share/doc/mixnet-agent/copyright /usr/share/doc/mixnet-agent/changelog.gz
    /usr/share/doc/mixnet-agent/agent-api.md /usr/share/doc/mixnet-agent/packaging.md"
  [mixnet-coord]="/usr/bin/mixnet-coord /lib/systemd/system/mixnet-health.service /lib/systemd/system/mixnet-health.timer
    /etc/default/mixnet-health /usr/share/man/man1/mixnet-coord.1.gz /usr/share/mixnet/playbooks/nightly-health.yaml
    /usr/share/mixnet/playbooks/bringup.yaml /usr/share/mixnet/playbooks/reconfig-latency.yaml
    /usr/share/mixnet/playbooks/health/rules.yaml /usr/share/mixnet/playbooks/topologies/cover.yaml
    /usr/share/doc/mixnet-coord/copyright /usr/share/doc/mixnet-coord/changelog.gz /usr/share/doc/mixnet-coord/health.md
    /usr/share/doc/mixnet-coord/health/reports.md"
  [mixnet-tools]="/usr/bin/mixnet-ocs /usr/bin/mixnet-ocs-emu /usr/bin/mixnet-lab /usr/share/man/man1/mixnet-ocs.1.gz
    /usr/share/man/man1/mixnet-ocs-emu.1.gz /usr/share/man/man1/mixnet-lab.1.gz /usr/share/doc/mixnet-tools/copyright
    /usr/share/doc/mixnet-tools/changelog.gz /usr/share/doc/mixnet-tools/lab.md"
)
for p in "${packages[@]}"; do
  listed=$(dpkg_root -L "$p")
  for f in ${want[$p]}; do
    grep -qxF "$f" <<<"$listed" || check_failed "$p does not hold $f"
    [ -e "$root$f" ] || check_failed "$f is not installed"
  done
  # FHS places a package of programs may write: nothing in /usr/local, /opt, /home, /var, /tmp.
  while read -r f; do
    [ "$f" = "/." ] && continue
    [[ "$f" =~ ^/(usr(/bin|/share(/man|/doc|/mixnet)?)?|etc(/default)?|lib(/systemd(/system)?)?)(/|$) ]] ||
      check_failed "$p installs $f, outside the places it should use"
  done <<<"$listed"
  count=$(grep -c . <<<"$listed")
  echo "$p: $count paths"
done
grep -qxF /etc/default/mixnet-agent <<<"$(dpkg-deb -I "${debs[0]}" conffiles)" ||
  check_failed "/etc/default/mixnet-agent is not a conffile"
[ -z "$(find "$root/usr/bin" -type f ! -perm 0755)" ] || check_failed "a program is not mode 0755"

echo "== dependencies"
# dpkg-checkbuilddeps answers "would these relations be met on this machine" with dpkg's own
# rules (versions, virtual packages such as libspdlog1.10-fmt9); it wants a control file to read.
printf 'Source: mixnet\n\nPackage: mixnet\nArchitecture: any\n' >"$scratch/control"
for deb in "${debs[@]}"; do
  depends=$(dpkg-deb -f "$deb" Depends)
  echo "$(basename "$deb"): $depends"
  debian_only=$(tr ',' '\n' <<<"$depends" | grep -v '^ *mixnet-' | paste -sd, -)
  unmet=$(dpkg-checkbuilddeps -d "$debian_only" "$scratch/control" 2>&1) ||
    check_failed "$(basename "$deb"): not met on this Debian machine: $unmet"
done
# What each program links, as Debian names it (dpkg-shlibdeps worked, not a hand-written list).
for pair in mixnet-agent:libibverbs1 mixnet-agent:libnl-route-3-200 mixnet-coord:libsqlite3-0 mixnet-coord:libyaml-cpp0.7 \
            mixnet-coord:libcurl4 mixnet-tools:libcurl4; do
  p=${pair%%:*} lib=${pair#*:}
  dpkg-deb -f "$out/${p}_${version}_amd64.deb" Depends | grep -qE "(^|, )$lib( |,|$)" || check_failed "$p does not depend on $lib"
done

echo "== the installed programs"
options_in() { grep -oE -- '--[a-z][a-z0-9-]*' <<<"$1" | sort -u; }
# The names under "Subcommands:" in CLI11's help.
subcommands_in() { sed -n '/^Subcommands:/,/^$/p' <<<"$1" | sed -n 's/^  \([a-z][a-z0-9-]*\)\( .*\)\{0,1\}$/\1/p'; }
for program in mixnet-agent mixnet-coord mixnet-ocs mixnet-ocs-emu mixnet-lab; do
  bin=$root/usr/bin/$program
  ver=$(timeout 10 "$bin" --version) || check_failed "$program --version failed"
  # "mixnet-agent 0.1.0 (git 2b8d77a5d267)": the CMake version, then the revision.
  [[ "$ver" =~ ^$program\ ${version//./\\.}\ \((git\ [0-9a-f]{7,}(\+modified)?|unknown\ \(not\ built\ from\ a\ git\ checkout\))\)$ ]] ||
    check_failed "$program --version said '$ver'"
  help=$(timeout 10 "$bin" --help) || check_failed "$program --help failed"
  grep -q "Usage:" <<<"$help" || check_failed "$program --help has no usage line"
  page=$(find "$root/usr/share/man" -name "$program.[18].gz")
  [ -n "$page" ] || { check_failed "no man page for $program"; continue; }
  text=$(zcat "$page" | sed 's/\\-/-/g')
  # Every option of the program's --help, and of each subcommand's under its own heading.
  missing=()
  for option in $(options_in "$help"); do
    grep -qF -- "$option" <<<"$text" || missing+=("$option")
  done
  subs=$(subcommands_in "$help")
  for sub in $subs; do
    sub_help=$(timeout 10 "$bin" "$sub" --help) || check_failed "$program $sub --help failed"
    part=$(sed -n "/^\.SS \"$program $sub\"/,/^\.fi/p" <<<"$text")
    [ -n "$part" ] || { missing+=("($sub)"); continue; }
    for option in $(options_in "$sub_help"); do
      grep -qF -- "$option" <<<"$part" || missing+=("$sub:$option")
    done
  done
  [ ${#missing[@]} -eq 0 ] || check_failed "$program's man page lacks ${missing[*]}"
  grep -qF "$version" <<<"$text" || check_failed "$program's man page does not give version $version"
  echo "$ver; man page $(basename "$page") with every option of --help and of its $(wc -w <<<"$subs") subcommand(s)"
done

echo "== the installed coordinator finds the installed playbooks"
# From / with no MIXNET_PLAYBOOKS: only the place beside /usr/bin can answer.
inventory=$root/usr/share/mixnet/playbooks/examples/inventory.yaml
(cd / && env -u MIXNET_PLAYBOOKS timeout 30 "$root/usr/bin/mixnet-coord" check \
   "$root/usr/share/mixnet/playbooks/nightly-health.yaml" -i "$inventory") >"$scratch/check.log" 2>&1 ||
  { cat "$scratch/check.log"; check_failed "the installed nightly-health.yaml does not check against the example inventory"; }
(cd / && env -u MIXNET_PLAYBOOKS timeout 30 "$root/usr/bin/mixnet-coord" health -i "$scratch/no-such-inventory.yaml" \
   --db "$scratch/results.db" --out "$scratch/runs") >"$scratch/health.log" 2>&1 && check_failed "health ran without an inventory"
if grep -q "nightly-health.yaml" "$scratch/health.log" || ! grep -q "no-such-inventory" "$scratch/health.log"; then
  cat "$scratch/health.log"
  check_failed "the installed mixnet-coord health did not get past finding its playbook to the inventory"
fi

echo "== systemd-analyze verify"
# The scratch root holds only our units; systemd's own (sysinit.target, network-online.target,
# ...) are lent from this machine in the root's /run, which no package owns, and removed after.
mkdir -p "$root/run/systemd/system"
cp -a /lib/systemd/system/. "$root/run/systemd/system/"
# So is /bin/kill (procps, a dependency of mixnet-agent: the unit's ExecReload), which verify
# looks for inside the root.
lent_kill=0
if [ ! -e "$root/bin/kill" ]; then
  mkdir -p "$root/bin"
  cp /bin/kill "$root/bin/kill"
  lent_kill=1
fi
units=(mixnet-agent.service mixnet-health.service mixnet-health.timer)
if ! MANPATH=$root/usr/share/man timeout 60 systemd-analyze verify --root="$root" "${units[@]}" >"$scratch/verify.log" 2>&1 ||
   [ -s "$scratch/verify.log" ]; then
  cat "$scratch/verify.log"
  check_failed "systemd-analyze verify ${units[*]}"
fi
rm -rf "$root/run"
if [ "$lent_kill" = 1 ]; then rm -f "$root/bin/kill"; rmdir "$root/bin" 2>/dev/null || true; fi
# The unit's command line as systemd runs it with /etc/default/mixnet-agent as shipped: the
# listen address is what the unit's Environment= gives, unless the default file (read after it)
# sets it; the agent must refuse it, exit 2, naming what to set where.
unit=$root/lib/systemd/system/mixnet-agent.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
listen=$(sed -n 's/^Environment=.*MIXNET_AGENT_LISTEN=\([^ ]*\).*/\1/p' "$unit")
# shellcheck source=/dev/null  # the installed default file
listen=$(MIXNET_AGENT_LISTEN=$listen; . "$root/etc/default/mixnet-agent"; printf '%s' "$MIXNET_AGENT_LISTEN")
[ -z "$listen" ] || check_failed "the unit as shipped has the listen address '$listen'; it must have none"
# "${VAR}" is always one word for systemd, an empty one when VAR is empty.
read -ra argv <<<"${exec_start//\$\{MIXNET_AGENT_LISTEN\}/@LISTEN@}"
for i in "${!argv[@]}"; do [ "${argv[$i]}" = "@LISTEN@" ] && argv[i]=$listen; done
argv=("${argv[@]//\$\{MIXNET_AGENT_PORTS\}/eth0}")
# shellcheck disable=SC2016  # the unit's text, not to be expanded
[ "${argv[-1]}" = '$MIXNET_AGENT_ARGS' ] || check_failed "the agent's ExecStart no longer ends in \$MIXNET_AGENT_ARGS"
unset 'argv[-1]'   # unset, "$VAR" gives systemd no word at all
argv[0]=$root${argv[0]}
set +e
refusal=$(timeout 10 "${argv[@]}" 2>&1)
code=$?
set -e
if [ $code -ne 2 ] || ! grep -qF "set MIXNET_AGENT_LISTEN in /etc/default/mixnet-agent" <<<"$refusal"; then
  check_failed "the unconfigured unit's agent exited $code saying '$refusal'"
else
  echo "unconfigured agent: exit 2, $refusal"
fi
grep -qx "RestartPreventExitStatus=2" "$root/lib/systemd/system/mixnet-agent.service" ||
  check_failed "the agent's unit would restart a configuration error forever"

echo "== lintian"
# Errors fail the test; warnings and notes are shown. No overrides.
if ! timeout 300 lintian --tag-display-limit 0 "${debs[@]}" >"$scratch/lintian.log" 2>&1; then
  check_failed "lintian found errors"
fi
grep -v "^running with root privileges" "$scratch/lintian.log" || echo "lintian: no errors, no warnings"
grep -q "^E: " "$scratch/lintian.log" && check_failed "lintian errors above"

echo "== a build outside git"
mkdir "$scratch/tarball"
GIT_CEILING_DIRECTORIES=$scratch cmake -DSOURCE_DIR="$scratch/tarball" -DOUTPUT="$scratch/revision.hpp" \
  -P "$source_dir/cmake/GitRevision.cmake"
grep -qF '"unknown (not built from a git checkout)"' "$scratch/revision.hpp" ||
  check_failed "a tarball build's revision: $(cat "$scratch/revision.hpp")"

echo "== purge"
dpkg_root -P mixnet-tools mixnet-coord mixnet-agent >"$scratch/purge.log" 2>&1 || { cat "$scratch/purge.log"; die "dpkg -P failed"; }
left=$(cd "$root" && find . -mindepth 1 ! -path './var' ! -path './var/lib' ! -path './var/lib/dpkg' ! -path './var/lib/dpkg/*')
[ -z "$left" ] || check_failed "left after the purge: $left"
left_info=$(find "$root/var/lib/dpkg/info" -mindepth 1 ! -name format)   # "format": dpkg's own
[ -z "$left_info" ] || check_failed "dpkg still has records: $left_info"
dpkg_root -l 'mixnet-*' 2>/dev/null | grep -q '^[a-z][a-z] *mixnet' && check_failed "dpkg still lists a mixnet package"

if [ $failures -ne 0 ]; then
  echo "packages: $failures check(s) failed"
  exit 1
fi
echo "packages: every check passed"
