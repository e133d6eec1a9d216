#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 for the virtual environment.
#
# Django 6 needs Python 3.12 or newer; this kind of machine ships 3.11 only. When no 3.12+
# interpreter is on PATH, build CPython 3.13 once from Debian's own source package (fetched with
# `apt-get source`, Debian's registry) into ~/.cache/anagen, where every clone reuses it.
set -euo pipefail

# The deb-src entry for Debian's release that ships 3.13, on the archive this machine's own apt
# sources already use (its mirror, whatever it is; this script names none).
source_entry() {
  local codename site
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  site=$(apt-get indextargets --format '$(SITE) $(RELEASE)' 'Created-By: Packages' 2>/dev/null |
    awk -v release="$codename" '$2 == release { print $1; exit }')
  if [ -z "$site" ]; then
    echo "No Debian archive for '$codename' in this machine's apt sources; install Python 3.12+ and set ANAGEN_PYTHON." >&2
    return 1
  fi
  printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' \
    "$site" /usr/share/keyrings/debian-archive-keyring.gpg
}

if [ "${1:-}" = "--source-entry" ]; then source_entry; exit; fi

for candidate in "${ANAGEN_PYTHON:-}" python3.14 python3.13 python3.12; do
  [ -n "$candidate" ] || continue
  if path=$(command -v "$candidate" 2>/dev/null) && "$path" -c 'import sys, ssl, sqlite3; assert sys.version_info >= (3, 12)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done

prefix="${ANAGEN_PYTHON_PREFIX:-$HOME/.cache/anagen/cpython-3.13}"
if [ -x "$prefix/bin/python3.13" ] && "$prefix/bin/python3.13" -c 'import ssl, sqlite3' 2>/dev/null; then
  echo "$prefix/bin/python3.13"; exit 0
fi

{
  echo "No Python >= 3.12 found: building CPython 3.13 from Debian's source package into $prefix (once, about 5 minutes)."
  if [ "$(id -u)" != 0 ]; then
    echo "Building it needs root for apt-get; or install Python 3.12+ and set ANAGEN_PYTHON." ; exit 1
  fi
  src_list=/etc/apt/sources.list.d/anagen-cpython-src.sources
  if ! apt-cache showsrc python3.13 2>/dev/null | grep -q '^Version'; then
    source_entry > "$src_list"
    apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential libssl-dev libffi-dev zlib1g-dev \
    libbz2-dev liblzma-dev libsqlite3-dev libreadline-dev uuid-dev libncurses-dev >/dev/null
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  apt-get source --download-only -qq python3.13 2>/dev/null
  tar xJf python3.13_*.orig.tar.xz
  cd Python-3.13.*/
  ./configure --prefix="$prefix" --with-ensurepip=install >configure.log 2>&1
  make -j"$(nproc)" >make.log 2>&1
  make install >install.log 2>&1
} >&2
echo "$prefix/bin/python3.13"
