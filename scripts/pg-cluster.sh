#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and experiments, entirely inside one directory.
#
#   scripts/pg-cluster.sh start DIR [PORT]   creates the cluster in DIR/data if it is not there,
#                                            starts it on 127.0.0.1:PORT (0 or none: a free port),
#                                            prints its URL and writes it to DIR/url
#   scripts/pg-cluster.sh stop DIR [--remove] stops it (nothing to stop is fine); --remove then
#                                            deletes DIR
#
# The cluster: superuser `minsheng`, trust authentication, UTF8, C locale, database `minsheng`,
# listening on 127.0.0.1 only, its unix socket in DIR; fsync and synchronous_commit on, as in
# production. As root the server runs as the `postgres` user (PostgreSQL refuses root), and the
# cluster lives in a fresh private directory under /tmp that user owns (DIR, perhaps under a home
# the `postgres` user cannot enter, then holds only `url` and `cluster`, the path of that
# directory); otherwise as the current user, in DIR itself.
#
# MINSHENG_TEST_PG=off: `start` does nothing (prints nothing) and succeeds.
# PG_BINDIR overrides where initdb, pg_ctl and postgres are looked for.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR [PORT] | stop DIR [--remove]" >&2
  exit 2
}

die() {
  echo "pg-cluster: $*" >&2
  exit 1
}

find_bindir() {
  if [[ -n ${PG_BINDIR:-} ]]; then
    echo "$PG_BINDIR"
    return
  fi
  if command -v pg_config >/dev/null 2>&1; then
    local d
    d=$(pg_config --bindir 2>/dev/null || true)
    if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
      echo "$d"
      return
    fi
  fi
  local candidates=(/usr/lib/postgresql/*/bin)
  local i
  for ((i = ${#candidates[@]} - 1; i >= 0; i--)); do
    if [[ -x ${candidates[i]}/initdb && -x ${candidates[i]}/pg_ctl ]]; then
      echo "${candidates[i]}"
      return
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  missing_binaries "PostgreSQL server binaries (initdb, pg_ctl) not found"
}

missing_binaries() {
  die "$1; install them with
  scripts/install-deps.sh postgresql libpq-dev
or set PG_BINDIR to the directory that holds them"
}

# Runs a command as the cluster's owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
    fi
  else
    "$@"
  fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
    return
  fi
  local p
  for ((p = 55500 + RANDOM % 2000; ; p++)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
}

# Where the cluster of DIR lives: DIR itself, or as root the private directory DIR/cluster names
# (made, and recorded there, when $2 is "create").
cluster_home() {
  local dir=$1 create=${2:-}
  if [[ $(id -u) -ne 0 ]]; then
    chmod 700 "$dir"
    echo "$dir"
    return
  fi
  if [[ -f $dir/cluster ]]; then
    local home
    home=$(cat "$dir/cluster")
    if [[ $home == /tmp/minsheng-pg.* && -d $home ]]; then
      echo "$home"
      return
    fi
  fi
  [[ $create == create ]] || return 0
  local home
  home=$(mktemp -d /tmp/minsheng-pg.XXXXXXXX)
  chown postgres: "$home"
  chmod 700 "$home"
  printf '%s\n' "$home" >"$dir/cluster"
  echo "$home"
}

start() {
  local dir=$1 port=${2:-0}
  if [[ ${MINSHENG_TEST_PG:-} == off ]]; then
    return 0
  fi
  [[ $port =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$port'"
  local bin
  bin=$(find_bindir)
  local b
  for b in initdb pg_ctl postgres; do
    [[ -x $bin/$b ]] || missing_binaries "no $b in $bin"
  done
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    die "running as root needs the 'postgres' user (the postgresql package creates it)"
  fi

  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local home
  home=$(cluster_home "$dir" create)
  as_owner test -w "$home" -a -x "$home" ||
    die "$(as_owner id -un) cannot write $home (are its parent directories searchable?)"

  if as_owner "$bin/pg_ctl" status -D "$home/data" >/dev/null 2>&1; then
    [[ -f $dir/url ]] || die "a server runs in $home/data but $dir/url is missing"
    cat "$dir/url"
    return 0
  fi

  if [[ ! -f $home/data/PG_VERSION ]]; then
    as_owner "$bin/initdb" -D "$home/data" -U minsheng --auth=trust -E UTF8 --locale=C \
      >"$home/initdb.log" 2>&1 || die "initdb failed; see $home/initdb.log"
  fi

  if [[ $port == 0 ]]; then port=$(free_port); fi
  # Settings on the command line (not in postgresql.conf): the data directory stays as initdb
  # made it, and a restart on another port needs no edit.
  # pg_ctl hands these to a shell: one line.
  local settings="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$home'"
  settings+=" -c fsync=on -c synchronous_commit=on -c max_connections=200"
  settings+=" -c shared_buffers=32MB -c log_min_messages=warning"
  as_owner "$bin/pg_ctl" start -D "$home/data" -w -t 60 -l "$home/server.log" -o "$settings" \
    >/dev/null || die "the server did not start; see $home/server.log"

  local psql=$bin/psql
  if [[ ! -x $psql ]]; then psql=$(command -v psql || true); fi
  local exists
  if [[ -n $psql ]]; then
    exists=$(as_owner "$psql" -h "$home" -p "$port" -U minsheng -d postgres -XAtq \
      -c "SELECT 1 FROM pg_database WHERE datname = 'minsheng'")
    if [[ $exists != 1 ]]; then
      as_owner "$psql" -h "$home" -p "$port" -U minsheng -d postgres -Xq \
        -c "CREATE DATABASE minsheng" || die "cannot create database minsheng"
    fi
  else
    as_owner "$bin/createdb" -h "$home" -p "$port" -U minsheng minsheng 2>/dev/null || true
  fi

  local url="postgresql://minsheng@127.0.0.1:$port/minsheng"
  printf '%s\n' "$url" >"$dir/url"
  echo "$url"
}

stop() {
  local dir=$1 remove=${2:-}
  [[ -z $remove || $remove == --remove ]] || usage
  [[ -d $dir ]] || return 0
  local home
  home=$(cluster_home "$dir")
  if [[ -n $home && -d $home/data ]]; then
    local bin
    bin=$(find_bindir)
    if as_owner "$bin/pg_ctl" status -D "$home/data" >/dev/null 2>&1; then
      # fsync is on: on a machine busy compiling, the shutdown checkpoint has taken over 60 s.
      as_owner "$bin/pg_ctl" stop -D "$home/data" -m fast -w -t 300 >/dev/null
    fi
  fi
  # A stopped cluster has no URL: tests reading DIR/url then skip instead of failing to connect.
  rm -f -- "$dir/url"
  if [[ $remove == --remove ]]; then
    # Only what this script made: refuse a directory that does not look like its own.
    if [[ -n $home && -e $home/data && ! -f $home/data/PG_VERSION ]]; then
      die "$home/data is not a PostgreSQL cluster; not removing it"
    fi
    if [[ -n $home && $home != "$dir" ]]; then rm -rf -- "$home"; fi
    rm -rf -- "$dir"
  fi
  return 0
}

(($# >= 2)) || usage
case $1 in
  start)
    (($# <= 3)) || usage
    start "$2" "${3:-0}"
    ;;
  stop)
    (($# <= 3)) || usage
    stop "$2" "${3:-}"
    ;;
  *) usage ;;
esac
