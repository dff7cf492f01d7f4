#!/bin/sh
# Dumps the database every BACKUP_INTERVAL_MINUTES into $BACKUP_DIR and keeps the newest
# BACKUP_RETENTION dumps. Runs as PID 1's child under tini; exits cleanly on SIGTERM.
set -eu
trap 'exit 0' TERM INT

PGPASSWORD="$(cat "$DATABASE_PASSWORD_FILE")"
export PGPASSWORD
interval=$((BACKUP_INTERVAL_MINUTES * 60))

while true; do
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  file="${BACKUP_DIR}/${DATABASE_NAME}-${stamp}.dump"
  if pg_dump -h "$DATABASE_HOST" -p "$DATABASE_PORT" -U "$DATABASE_USER" -d "$DATABASE_NAME" \
      --format=custom --file="$file.partial"; then
    mv "$file.partial" "$file"
    date -u +%s > /tmp/last-success
    echo "backup written: $file"
    # Newest first; everything past the retention count goes.
    ls -1t "$BACKUP_DIR"/*.dump | tail -n +$((BACKUP_RETENTION + 1)) | xargs -r rm -f --
  else
    rm -f "$file.partial"
    echo "backup failed: pg_dump exited non-zero" >&2
  fi
  sleep "$interval" &
  wait $!
done
