#!/bin/sh
# Restores one dump from $BACKUP_DIR into the database: `restore.sh [file]`, newest dump by default.
# Objects in the dump are dropped and re-created (--clean --if-exists); other objects are kept.
set -eu

file="${1:-$(ls -1t "$BACKUP_DIR"/*.dump 2>/dev/null | head -n 1)}"
case "$file" in
  /*) ;;
  *) file="$BACKUP_DIR/$file" ;;
esac
if [ ! -f "$file" ]; then
  echo "no such backup: $file; available:" >&2
  ls -1t "$BACKUP_DIR" >&2
  exit 1
fi

PGPASSWORD="$(cat "$DATABASE_PASSWORD_FILE")"
export PGPASSWORD
pg_restore -h "$DATABASE_HOST" -p "$DATABASE_PORT" -U "$DATABASE_USER" -d "$DATABASE_NAME" \
  --clean --if-exists --no-owner --exit-on-error "$file"
echo "restored $file into $DATABASE_NAME on $DATABASE_HOST"
