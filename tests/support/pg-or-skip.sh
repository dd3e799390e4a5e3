#!/bin/sh
# Runs a PostgreSQL suite: `pg-or-skip.sh NAME COMMAND...` runs COMMAND, or says why NAME is
# skipped and succeeds when MINSHENG_TEST_PG=off.
name=$1
shift
if [ "${MINSHENG_TEST_PG:-}" = off ]; then
  echo "$name skipped: MINSHENG_TEST_PG=off"
  exit 0
fi
exec "$@"
