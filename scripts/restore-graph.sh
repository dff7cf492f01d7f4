#!/usr/bin/env bash
# Restores a graph export taken by the graph-backup service into an empty graph.
#   scripts/restore-graph.sh <stack> [export-file]     the newest export that holds nodes when none is named
#   scripts/restore-graph.sh <stack> --list            list the exports
# Runs on the Docker host (on Swarm: the node labelled shipyard.data=true, where the backup task runs).
set -euo pipefail

stack="${1:?usage: scripts/restore-graph.sh <stack> [export-file|--list]}"
shift
# shellcheck source=scripts/backup-container.sh
. "$(dirname "$0")/backup-container.sh"
container=$(backup_container graph-backup "$stack" "are shipyard:features.graph and .backups on?")

if [ "${1:-}" = "--list" ]; then
  exec docker exec "$container" node dist/graph-backup.js list
fi
# A bare name is one of the exports in the backup volume (the tool reads it from BACKUP_DIR); with
# none, the tool takes the newest export that holds nodes (newer ones may be of a graph that came
# back empty).
exec docker exec "$container" node dist/graph-backup.js restore "$@"
