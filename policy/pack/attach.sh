#!/bin/sh
# The policy pack as the Pulumi CLI starts it under `npm run preview|up`: those commands pass this
# file to `--policy-pack` (a CLI from 3.255 runs an executable given there as the pack) and have
# started the pack themselves (scripts/policy-pack.ts). This prints the port the pack serves on, as a
# pack started by the CLI prints its own, and the CLI then talks to the pack directly. The wrapper
# writes the port to SHIPYARD_POLICY_PACK_PORT_FILE once the pack serves (usually before the CLI
# gets here), or why the pack is not there, which becomes this plugin's error.
file="${SHIPYARD_POLICY_PACK_PORT_FILE:-}"
if [ -z "$file" ]; then
  echo "shipyard policy pack: SHIPYARD_POLICY_PACK_PORT_FILE is not set: this file runs only under" \
    "npm run preview|up; give the CLI the folder instead: --policy-pack policy/pack" >&2
  exit 2
fi
waited=0
while [ ! -s "$file" ]; do
  # The pack starts in about half a second; a minute means the command that started it is gone.
  if [ "$waited" -ge 1200 ]; then
    echo "shipyard policy pack: not serving after a minute (no port in $file)" >&2
    exit 1
  fi
  waited=$((waited + 1))
  # A sleep that takes no fractions waits a second: twenty turns.
  sleep 0.05 2>/dev/null || {
    sleep 1
    waited=$((waited + 19))
  }
done
read -r answer <"$file"
case "$answer" in
  "" | *[!0-9]*)
    echo "$answer" >&2
    exit 1
    ;;
  *) echo "$answer" ;;
esac
