# Sourced by the restore scripts: the running container of a stack's backup service on this host.
#   backup_container <service> <stack> <features hint>   prints its id, or exits 1 saying why
backup_container() {
  local service="$1" stack="$2" hint="$3" container
  container=$(docker ps --quiet \
    --filter "label=shipyard.service=${service}" \
    --filter "label=shipyard.stack=${stack}" | head -n 1)
  if [ -z "$container" ]; then
    echo "no running ${service} container for stack '${stack}' on this host (${hint})" >&2
    exit 1
  fi
  printf '%s\n' "$container"
}
