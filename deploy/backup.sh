#!/usr/bin/env bash
# Dump the database named by DATABASE_URL into DIR as gopy-YYYYmmdd-HHMM.dump (pg_dump's
# custom format: compressed, restorable table by table), keep the newest KEEP (14).
# Restore: pg_restore --clean --if-exists --no-owner -d "$DATABASE_URL" FILE (docs/deploy.md).
set -euo pipefail
dir=${1:?usage: backup.sh DIR}
keep=${KEEP:-14}
url=${DATABASE_URL/postgresql+psycopg:/postgresql:}
mkdir -p "$dir"
name="$dir/gopy-$(date -u +%Y%m%d-%H%M).dump"
pg_dump --format=custom --no-owner --file="$name.partial" "$url"
mv "$name.partial" "$name"
ls -1t "$dir"/gopy-*.dump | tail -n +"$((keep + 1))" | xargs -r rm --
echo "$name"
