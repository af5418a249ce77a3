#!/usr/bin/env bash
# Writes a help2man --include file (cmake/Packaging.cmake) with a SUBCOMMANDS section: the
# --help of every subcommand of PROGRAM and of their subcommands, so its man page lists every
# option a user can give, not only the top-level ones (a program without subcommands has none);
# and a SEE ALSO section naming the other programs and the packaged docs.
# Usage: man-subcommands.sh PROGRAM OUTPUT
set -euo pipefail
program=$1
out=$2
name=$(basename "$program")

# The names under "Subcommands:" in CLI11's help (two spaces, the name; descriptions and their
# continuation lines are indented further).
subcommands() {
  timeout 10 "$program" "$@" --help | sed -n '/^Subcommands:/,/^$/p' | sed -n 's/^  \([a-z][a-z0-9-]*\)\( .*\)\{0,1\}$/\1/p'
}

# One subcommand's help as a roff block: the usage line names the program, not its build path;
# backslashes and a leading dot or quote are escaped, and "-" is a plain hyphen (\-), as help2man
# writes options.
section() {
  printf '.SS "%s %s"\n.nf\n' "$name" "$*"
  timeout 10 "$program" "$@" --help | sed -e "s|$program|$name|g" -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/-/\\-/g'
  printf '.fi\n'
}

{
  first=1
  for sub in $(subcommands); do
    if [ $first -eq 1 ]; then printf '[SUBCOMMANDS]\n'; first=0; fi
    section "$sub"
    for subsub in $(subcommands "$sub"); do section "$sub" "$subsub"; done
  done
  printf '[SEE ALSO]\n'
  printf '.BR mixnet-agent (8),\n.BR mixnet-coord (1),\n.BR mixnet-ocs (1),\n.BR mixnet-ocs-emu (1),\n.BR mixnet-lab (1).\n'
  printf '.PP\nThe documentation in /usr/share/doc/mixnet-agent/, /usr/share/doc/mixnet-coord/ and\n'
  printf '/usr/share/doc/mixnet-tools/ (packaging.md: where the packages put their files).\n'
} >"$out.tmp"
mv "$out.tmp" "$out"
