#!/usr/bin/env bash
# Installs the rigbench agent on a bare Linux node as a hardened systemd service.
#
#   sudo deploy/install.sh --nats nats://nats.lan:4222 --nats-password '...'        # from this checkout
#   sudo ./install.sh --from rigbench-0.1.0-linux-x64.tar.gz --nats ...              # from a release tarball
#   deploy/install.sh --dry-run --root /tmp/stage ...                                # stage files, change nothing
#
# What it does: copies the application to --prefix (/opt/rigbench), creates the `rigbench` system user (in the
# video/render groups when they exist), writes /etc/rigbench/agent.yaml and a generated bearer token
# (/etc/rigbench/agent.token), installs rigbench-agent.service (and, with --collector / --timers, the collector and
# the morning/night run timers), enables and starts it, then prints how to add the node to the controller and to
# Prometheus. Re-running keeps an existing token and config (use --force-config to rewrite the config).
#
# --root DIR writes every file below DIR instead of / and never creates users or calls systemctl.
# --dry-run prints the commands that would change the system (user, ownership, copying the application,
# systemctl) instead of running them; files are still written when --root is given, so a test can inspect them.
set -euo pipefail

readonly SERVICE_USER=rigbench
readonly DEFAULT_PREFIX=/opt/rigbench

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

root=""
prefix="$DEFAULT_PREFIX"
from=""
dry_run=0
agent_id=""
labels=""
listen="0.0.0.0:50051"
advertise=""
metrics_listen="0.0.0.0:9464"
nats_servers="nats://127.0.0.1:4222"
nats_user="agent"
nats_password="${RIGBENCH_NATS_PASSWORD:-}"
nats_password_file=""
stream_replicas=1
models_dir="/var/lib/rigbench/models"
with_collector=0
with_timers=0
start_service=1
force_config=0

usage() {
  cat <<'EOF'
Usage: install.sh [options]

Source and target
  --from PATH            a built rigbench checkout (default: the checkout holding this script) or a release
                         tarball (*.tar.gz) containing package.json, node_modules and the dist/ folders
  --prefix DIR           application directory (default /opt/rigbench)
  --root DIR             install below DIR instead of / (staging, tests); no user creation, no systemctl
  --dry-run              print system-changing commands instead of running them

Agent configuration (written to /etc/rigbench/agent.yaml; every key: rigbench-agent --help)
  --agent-id ID          agent id, unique in the fleet (default: this host name)
  --labels k=v,k=v       labels for plan targeting, e.g. gpu=p104-100,site=dorm
  --listen HOST:PORT     gRPC listen address (default 0.0.0.0:50051; a token is generated)
  --advertise HOST:PORT  address announced to the controller (default: host name and listen port)
  --metrics HOST:PORT    Prometheus /metrics address (default 0.0.0.0:9464)
  --nats URLS            NATS servers, comma-separated (default nats://127.0.0.1:4222)
  --nats-user USER       NATS user (default agent; give the agent id for one NATS identity per agent, created on
                         the NATS server with deploy/nats/agent-user.sh ID)
  --nats-password-file F read the NATS password from file F (first line), or from stdin with '-'; keeps it out
                         of the process list and shell history
  --nats-password PW     NATS password (visible to other users in ps; prefer the file, stdin or env
                         RIGBENCH_NATS_PASSWORD)
  --stream-replicas N    replicas of the event stream if the agent creates it (3 on a 3-node NATS cluster)
  --models-dir DIR       GGUF folder (default /var/lib/rigbench/models)
  --force-config         rewrite agent.yaml even if it exists (the token is always kept)

Extras
  --collector            also install rigbench-collector.service and /etc/rigbench/controller.env
  --timers               also install rigbench-run@.service and the morning/night timers
  --no-start             install and enable, but do not start
  -h, --help             this help
EOF
}

die() {
  echo "install.sh: $*" >&2
  exit 1
}

need_value() {
  [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value (see --help)"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --from) need_value "$@"; from="$2"; shift 2 ;;
    --prefix) need_value "$@"; prefix="$2"; shift 2 ;;
    --root) need_value "$@"; root="$2"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    --agent-id) need_value "$@"; agent_id="$2"; shift 2 ;;
    --labels) need_value "$@"; labels="$2"; shift 2 ;;
    --listen) need_value "$@"; listen="$2"; shift 2 ;;
    --advertise) need_value "$@"; advertise="$2"; shift 2 ;;
    --metrics) need_value "$@"; metrics_listen="$2"; shift 2 ;;
    --nats) need_value "$@"; nats_servers="$2"; shift 2 ;;
    --nats-user) need_value "$@"; nats_user="$2"; shift 2 ;;
    --nats-password) need_value "$@"; nats_password="$2"; shift 2 ;;
    --nats-password-file) need_value "$@"; nats_password_file="$2"; shift 2 ;;
    --stream-replicas) need_value "$@"; stream_replicas="$2"; shift 2 ;;
    --models-dir) need_value "$@"; models_dir="$2"; shift 2 ;;
    --force-config) force_config=1; shift ;;
    --collector) with_collector=1; shift ;;
    --timers) with_timers=1; shift ;;
    --no-start) start_service=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

if [[ -n "$nats_password_file" ]]; then
  if [[ "$nats_password_file" == "-" ]]; then
    IFS= read -r nats_password || true
  else
    [[ -r "$nats_password_file" ]] || die "--nats-password-file: cannot read '$nats_password_file'"
    IFS= read -r nats_password <"$nats_password_file" || true
  fi
  [[ -n "$nats_password" ]] || die "--nats-password-file: '$nats_password_file' gave an empty first line"
fi

[[ "$prefix" == /* ]] || die "--prefix must be an absolute path, got '$prefix'"
[[ "$models_dir" == /* ]] || die "--models-dir must be an absolute path, got '$models_dir'"
[[ "$stream_replicas" =~ ^[1-5]$ ]] || die "--stream-replicas must be 1 to 5, got '$stream_replicas'"
if [[ -n "$root" ]]; then
  mkdir -p "$root"
  root=$(cd "$root" && pwd)
  [[ "$root" != "/" ]] || root=""
fi

if [[ -z "$agent_id" ]]; then
  agent_id=$(hostname | tr -c 'A-Za-z0-9_\n-' '-')
fi
[[ "$agent_id" =~ ^[A-Za-z0-9_-]+$ ]] || die "--agent-id may hold letters, digits, '-' and '_' only, got '$agent_id'"
if [[ -z "$advertise" ]]; then
  advertise="$(hostname -f 2>/dev/null || hostname):${listen##*:}"
fi

# System changes (users, ownership, systemctl, copying the application) happen only for a real install on /.
system_changes=1
if [[ -n "$root" || "$dry_run" -eq 1 ]]; then
  system_changes=0
fi

# Runs a command that changes the system, or prints it when staging / dry-running.
run() {
  if [[ "$system_changes" -eq 1 ]]; then
    "$@"
  else
    printf 'would run:'
    printf ' %q' "$@"
    printf '\n'
  fi
}

# Files are written under --root when staging; a dry run without --root writes nothing.
writes_files=1
if [[ "$dry_run" -eq 1 && -z "$root" ]]; then
  writes_files=0
fi

# install_file MODE DEST < content
install_file() {
  local mode="$1" dest="$root$2"
  if [[ "$writes_files" -eq 0 ]]; then
    echo "would write $2 (mode $mode)"
    cat >/dev/null
    return
  fi
  mkdir -p "$(dirname "$dest")"
  local tmp
  tmp=$(mktemp "$dest.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$dest"
  echo "wrote $dest"
}

make_dir() {
  local mode="$1" dir="$root$2"
  if [[ "$writes_files" -eq 0 ]]; then
    echo "would create $2 (mode $mode)"
    return
  fi
  mkdir -p "$dir"
  chmod "$mode" "$dir"
}

generate_token() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex 32
  else
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'
    echo
  fi
}

# YAML double-quoted scalar (config values may hold ':' or '#').
yaml_quote() {
  local value="${1//\\/\\\\}"
  value="${value//\"/\\\"}"
  printf '"%s"' "$value"
}

# ---- preflight ---------------------------------------------------------------------------------------------------
if [[ "$system_changes" -eq 1 && "$(id -u)" -ne 0 ]]; then
  die "run as root (sudo), or stage with --root DIR / preview with --dry-run"
fi

node_bin=$(command -v node || true)
if [[ -z "$node_bin" ]]; then
  [[ "$system_changes" -eq 0 ]] || die "Node.js 20.19+ is required: apt-get install nodejs (or NodeSource 20.x)"
  node_bin=/usr/bin/node
  echo "note: node not found; the units will use $node_bin"
elif [[ "$system_changes" -eq 1 ]]; then
  node_major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
  [[ "$node_major" -ge 20 ]] || die "Node.js 20.19+ is required, found $("$node_bin" --version) at $node_bin"
fi

if [[ -z "$from" ]]; then
  from=$(cd "$script_dir/.." && pwd)
fi
if [[ -f "$from" ]]; then
  [[ "$from" == *.tar.gz || "$from" == *.tgz ]] || die "--from $from: expected a checkout folder or a .tar.gz"
  source_kind=tarball
elif [[ -d "$from" ]]; then
  source_kind=checkout
  if [[ ! -f "$from/apps/agent/dist/main.js" ]]; then
    if [[ "$system_changes" -eq 1 ]]; then
      die "$from is not built ($from/apps/agent/dist/main.js is missing): run 'npm ci && npx tsc -b' there first"
    fi
    echo "note: $from/apps/agent/dist/main.js is missing; build with 'npm ci && npx tsc -b' before a real install"
  fi
else
  die "--from $from: no such file or folder"
fi

# ---- application ------------------------------------------------------------------------------------------------
echo "== application ($source_kind $from -> $prefix)"
run mkdir -p "$prefix"
if [[ "$source_kind" == tarball ]]; then
  run tar -xzf "$from" -C "$prefix" --strip-components=1
else
  for part in package.json package-lock.json node_modules proto deploy \
    libs/shared/package.json libs/shared/dist \
    apps/agent/package.json apps/agent/dist \
    apps/controller/package.json apps/controller/dist; do
    [[ "$part" != */* ]] || run mkdir -p "$prefix/${part%/*}"
    run cp -a "$from/$part" "$prefix/$part"
  done
fi

# ---- user and directories ---------------------------------------------------------------------------------------
echo "== service user and directories"
if ! getent passwd "$SERVICE_USER" >/dev/null 2>&1 || [[ "$system_changes" -eq 0 ]]; then
  run useradd --system --user-group --home-dir /var/lib/rigbench --no-create-home \
    --shell /usr/sbin/nologin --comment "rigbench agent" "$SERVICE_USER"
fi
# /dev/dri render nodes (Vulkan) and, on some distributions, /dev/nvidia* belong to these groups.
for group in video render; do
  if getent group "$group" >/dev/null 2>&1; then
    run usermod --append --groups "$group" "$SERVICE_USER"
  fi
done
make_dir 0750 /etc/rigbench
make_dir 0750 /var/lib/rigbench
make_dir 0750 /var/lib/rigbench/outbox
# A models folder that already exists (a dataset, an NFS or virtiofs mount, maybe read-only) keeps its owner and
# mode: the agent only needs to read it.
models_existed=0
[[ -d "$root$models_dir" ]] && models_existed=1
if [[ "$models_existed" -eq 0 ]]; then
  make_dir 0750 "$models_dir"
fi
# Not recursive: something mounted below /var/lib/rigbench (models) is not ours to chown.
run chown "$SERVICE_USER:$SERVICE_USER" /var/lib/rigbench /var/lib/rigbench/outbox
if [[ "$models_existed" -eq 0 && "$models_dir" != /var/lib/rigbench/* ]]; then
  run chown "$SERVICE_USER:$SERVICE_USER" "$models_dir"
elif [[ "$models_existed" -eq 1 ]]; then
  echo "note: $models_dir exists; make sure the '$SERVICE_USER' user can read it"
fi

# ---- token and config -------------------------------------------------------------------------------------------
echo "== configuration"
token_path=/etc/rigbench/agent.token
if [[ -s "$root$token_path" ]]; then
  echo "kept the existing token in $root$token_path"
else
  generate_token | install_file 0640 "$token_path"
fi

config_path=/etc/rigbench/agent.yaml
if [[ -s "$root$config_path" && "$force_config" -eq 0 ]]; then
  echo "kept the existing $root$config_path (--force-config rewrites it)"
else
  {
    echo "# rigbench agent configuration, written by install.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)."
    echo "# Every key, its environment variable and flag: rigbench-agent --help. Secrets: this file is 0640."
    echo "id: $(yaml_quote "$agent_id")"
    echo "labels: $(yaml_quote "$labels")"
    echo "listen: $(yaml_quote "$listen")"
    echo "advertise: $(yaml_quote "$advertise")"
    echo "modelsDir: $(yaml_quote "$models_dir")"
    echo "nats:"
    echo "  servers:"
    IFS=',' read -ra servers <<<"$nats_servers"
    for server in "${servers[@]}"; do
      echo "    - $(yaml_quote "$server")"
    done
    echo "  user: $(yaml_quote "$nats_user")"
    echo "  password: $(yaml_quote "$nats_password")"
    echo "  # Replicas of the RIGBENCH_EVENTS stream when this agent creates it: 3 on a three-node NATS cluster."
    echo "  streamReplicas: $stream_replicas"
    echo "metrics:"
    echo "  listen: $(yaml_quote "$metrics_listen")"
    echo "auth:"
    echo "  # Controllers send it as 'authorization: Bearer <token>'."
    echo "  tokenFile: $(yaml_quote "$token_path")"
    echo "outbox:"
    echo "  dir: \"/var/lib/rigbench/outbox\""
  } | install_file 0640 "$config_path"
fi
run chown -R "root:$SERVICE_USER" /etc/rigbench

if [[ -z "$nats_password" ]]; then
  echo "warning: no NATS password given (--nats-password-file, RIGBENCH_NATS_PASSWORD or --nats-password); set nats.password in $config_path"
fi

# ---- systemd units ----------------------------------------------------------------------------------------------
echo "== systemd units"
# The shipped units assume /opt/rigbench and /usr/bin/node; rewrite both when they differ here.
install_unit() {
  local name="$1"
  sed -e "s#/opt/rigbench#$prefix#g" -e "s#/usr/bin/node#$node_bin#g" "$script_dir/systemd/$name" |
    install_file 0644 "/etc/systemd/system/$name"
}
units=(rigbench-agent.service)
install_unit rigbench-agent.service
if [[ "$with_collector" -eq 1 || "$with_timers" -eq 1 ]]; then
  make_dir 0750 /var/lib/rigbench/controller
  if [[ ! -s "$root/etc/rigbench/controller.env" ]]; then
    {
      echo "# rigbench controller settings for rigbench-collector.service and rigbench-run@.service."
      echo "# Every variable: rigbench --help. NATS credentials of the 'controller' user."
      echo "RIGBENCH_NATS_SERVERS=$nats_servers"
      echo "RIGBENCH_NATS_USER=controller"
      echo "RIGBENCH_NATS_PASSWORD="
      echo "RIGBENCH_STORE=/var/lib/rigbench/controller/rigbench.db"
      echo "# Plan the morning and night timers run (rigbench-run@morning / rigbench-run@night)."
      echo "RIGBENCH_PLAN=/etc/rigbench/plans/seed-p104.yaml"
    } | install_file 0640 /etc/rigbench/controller.env
  fi
fi
if [[ "$with_collector" -eq 1 ]]; then
  install_unit rigbench-collector.service
  units+=(rigbench-collector.service)
fi
if [[ "$with_timers" -eq 1 ]]; then
  # The seed's plan as a starting point; a plan already there is the user's and stays.
  example_plan="$script_dir/../examples/seed-p104.yaml"
  if [[ -f "$example_plan" && ! -e "$root/etc/rigbench/plans/seed-p104.yaml" ]]; then
    install_file 0644 /etc/rigbench/plans/seed-p104.yaml <"$example_plan"
  fi
  install_unit rigbench-run@.service
  install_unit rigbench-run-morning.timer
  install_unit rigbench-run-night.timer
  units+=(rigbench-run-morning.timer rigbench-run-night.timer)
fi

if [[ -z "$root" ]]; then
  run systemctl daemon-reload
  if [[ "$start_service" -eq 1 ]]; then
    run systemctl enable --now "${units[@]}"
  else
    run systemctl enable "${units[@]}"
  fi
fi

# ---- next steps -------------------------------------------------------------------------------------------------
metrics_port="${metrics_listen##*:}"
grpc_host="${advertise%:*}"
cat <<EOF

== next steps
1. Check the agent sees its GPUs and backends (from the controller):
     rigbench info $agent_id
   and on this node:  journalctl -u rigbench-agent -f

2. Add the node to the controller. Its gRPC calls need this node's token (sudo cat $token_path), and the
   controller sends a token only to an address it can check, never to one taken from a heartbeat alone. Add a
   static entry to the controller's agents list (RIGBENCH_AGENTS, JSON):
     {"id": "$agent_id", "address": "$advertise"}
   and copy the token, without printing it, to the controller's per-agent token directory
   (RIGBENCH_AGENT_TOKENS_DIR) as $agent_id.token.

   One NATS identity per agent: on the NATS server, add the user deploy/nats/agent-user.sh $agent_id prints
   (it may publish only this agent's events and heartbeats) and re-run this script with
   --nats-user $agent_id --nats-password-file - (password on stdin).

3. Add the node to Prometheus: append to deploy/prometheus/targets/agents.json
     { "targets": ["$grpc_host:$metrics_port"], "labels": { "node": "$agent_id" } }

4. Put GGUF models in $models_dir (readable by the '$SERVICE_USER' user).
   CUDA: keep the nvidia-uvm module loaded at boot (echo nvidia-uvm > /etc/modules-load.d/nvidia-uvm.conf).
EOF
