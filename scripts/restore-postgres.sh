#!/usr/bin/env bash
# Restores a PostgreSQL dump taken by the backup service.
#   scripts/restore-postgres.sh <stack> [dump-file]     newest dump when no file is named
#   scripts/restore-postgres.sh <stack> --list          list the dumps
# Runs on the Docker host (on Swarm: the node labelled shipyard.data=true, where the backup task runs).
set -euo pipefail

stack="${1:?usage: scripts/restore-postgres.sh <stack> [dump-file|--list]}"
shift
# shellcheck source=scripts/backup-container.sh
. "$(dirname "$0")/backup-container.sh"
container=$(backup_container backup "$stack" "is shipyard:features.backups on?")

if [ "${1:-}" = "--list" ]; then
  exec docker exec "$container" sh -c 'ls -1t "$BACKUP_DIR"'
fi
exec docker exec "$container" sh /run/config/restore.sh "$@"
