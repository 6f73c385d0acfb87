#!/usr/bin/env bash
# Prints the nats-server `users` entry of one rigbench agent, to paste into the server's authorization block
# (deploy/compose/nats/auth.conf shows where). The agent may publish only its own events
# (rigbench.events.<id>.>) and heartbeats (rigbench.heartbeat.<id>), read and create the event stream, and
# subscribe only to its own inbox (_INBOX.<id>.>, the agent's nats.js inboxPrefix): it can neither speak for
# another agent nor read another agent's replies.
#
#   deploy/nats/agent-user.sh gpu-box-1                 # password from the server's environment: $NATS_PW_GPU_BOX_1
#   deploy/nats/agent-user.sh gpu-box-1 --password-env NAME
#
# The password is never written into the file: nats-server resolves `$NAME` from its environment.
set -euo pipefail

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
}

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  usage
  [[ $# -ge 1 ]] && exit 0
  exit 2
fi
id="$1"
shift
if [[ ! "$id" =~ ^[A-Za-z0-9_-]{1,64}$ ]]; then
  echo "agent-user.sh: agent id '$id' must be 1-64 letters, digits, '-' or '_' (the agent's id setting)" >&2
  exit 2
fi
password_env="NATS_PW_$(tr 'a-z-' 'A-Z_' <<<"$id")"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --password-env)
      [[ $# -ge 2 ]] || { echo "agent-user.sh: --password-env needs a variable name" >&2; exit 2; }
      password_env="$2"
      shift 2
      ;;
    *)
      echo "agent-user.sh: unknown argument '$1'" >&2
      exit 2
      ;;
  esac
done
if [[ ! "$password_env" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
  echo "agent-user.sh: '$password_env' is not an environment variable name" >&2
  exit 2
fi

cat <<CONF
    # rigbench agent $id: its own subjects and inbox only.
    {
      user: "$id"
      password: \$$password_env
      permissions: {
        publish: {
          allow: [
            "rigbench.events.$id.>",
            "rigbench.heartbeat.$id",
            "\$JS.API.INFO",
            "\$JS.API.STREAM.INFO.RIGBENCH_EVENTS",
            "\$JS.API.STREAM.CREATE.RIGBENCH_EVENTS",
          ]
        }
        subscribe: { allow: ["_INBOX.$id.>"] }
      }
    }
CONF
