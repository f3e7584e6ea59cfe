#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests, on 127.0.0.1 and a free port, with its data in a temp dir.
#
#   .ci/postgres.sh start [DIR]   initdb + start + create database "causeway"; prints the URL
#   .ci/postgres.sh stop DIR      stops the server and removes DIR
#
# Finds initdb/pg_ctl on PATH or under /usr/lib/postgresql/*/bin, and installs the Debian
# package when neither has them. PostgreSQL refuses to run as root: as root it runs as the
# `postgres` system user (created if missing). Trust auth is fine: loopback only, dropped after.
set -euo pipefail
# runuser and useradd live in sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  return 1
}

ensure_bindir() {
  if ! find_bindir >/dev/null; then
    [ "$(id -u)" = 0 ] || { log "PostgreSQL is not installed and installing it needs root"; exit 1; }
    log "installing PostgreSQL from the Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
  fi
  find_bindir
}

# Runs a command as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  local bindir dir port
  bindir=$(ensure_bindir)
  dir=${1:-$(mktemp -d /tmp/causeway-pg.XXXXXX)}
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    chown postgres "$dir"
  fi
  chmod 700 "$dir"
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  port=$(free_port)
  # fsync off: a throwaway server whose data is deleted after the run.
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=300" >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
  "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt -c "CREATE DATABASE causeway" >&2
  echo "$port" >"$dir/port"
  log "running on port $port, data in $dir (stop with: .ci/postgres.sh stop $dir)"
  echo "postgres://postgres@127.0.0.1:$port/causeway"
}

stop() {
  local dir=${1:?usage: postgres.sh stop DIR} bindir
  bindir=$(find_bindir)
  if [ -f "$dir/data/postmaster.pid" ]; then as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true; fi
  rm -rf "$dir"
}

case "${1:-start}" in
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) log "usage: $0 start [DIR] | stop DIR"; exit 2 ;;
esac
