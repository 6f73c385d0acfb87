#!/usr/bin/env bash
# Installs the rigbench agent on a bare Linux node as a hardened systemd service.
#
#   sudo deploy/install.sh --nats nats://nats.lan:4222 --nats-password-file ./agent.pw   # from this checkout
#   sudo ./install.sh --from rigbench-0.1.0-linux-x64.tar.gz --nats ...                  # from a release tarball
#   deploy/install.sh --root /tmp/stage ...                           # stage every file (the application too)
#   deploy/install.sh --dry-run --root /tmp/stage ...                 # stage config and units, print the rest
#
# What it does: copies the application to --prefix (/opt/rigbench), creates the `rigbench` system user (in the
# video/render groups when they exist), writes /etc/rigbench/agent.yaml and a generated bearer token
# (/etc/rigbench/agent.token), installs rigbench-agent.service (and, with --collector / --timers, the collector and
# the morning/night run timers), enables and (re)starts it, then prints how to add the node to the controller and to
# Prometheus. Re-running keeps an existing token and config (use --force-config to rewrite the config) and is the
# upgrade path: the application folder is replaced as a whole (never copied into the old one), units that change
# are backed up to /var/lib/rigbench/backup/units-TIME/ first, and the services are restarted onto the new code.
# --collector or --timers alone set up a controller box (no agent); add --agent for both on one box.
# Secrets never come from the command line (shell history, ps): --nats-password-file FILE, --nats-password-stdin,
# or the environment variable RIGBENCH_NATS_PASSWORD.
#
# --root DIR writes every file below DIR instead of / (the application included) and never creates users or
# calls systemctl. --dry-run prints the commands that would change the system (user, ownership, copying the
# application, systemctl) instead of running them; config and units are still written when --root is given, so
# a test can inspect them.
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
controller_password="${RIGBENCH_CONTROLLER_NATS_PASSWORD:-}"
stream_replicas=1
models_dir="/var/lib/rigbench/models"
with_agent=""
add_agents=()
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
  --nats-password-file F the agent's NATS password: first line of file F, '-' for stdin (or env
                         RIGBENCH_NATS_PASSWORD)
  --nats-password-stdin  read the agent's NATS password from standard input (first line)
  --stream-replicas N    replicas of the event stream if the agent creates it (3 on a 3-node NATS cluster)
  --models-dir DIR       GGUF folder (default /var/lib/rigbench/models)
  --force-config         rewrite agent.yaml even if it exists (the token is always kept)

What to install (default: the agent only)
  --agent                the agent (implied unless --collector or --timers is given)
  --collector            rigbench-collector.service and /etc/rigbench/controller.env (no agent unless --agent)
  --timers               rigbench-run@.service and the morning (08:00) / night (23:00) timers
  --add-agent ID=HOST:PORT:TOKEN_FILE
                         (controller box, repeatable) an agent the controller dials with its own token: the
                         token is read from TOKEN_FILE (a copy of that node's /etc/rigbench/agent.token) into
                         /etc/rigbench/controller-agents/ID.json; controller.env's RIGBENCH_AGENTS lists them all
  --controller-password-file F
                         the controller's NATS password for controller.env: first line of file F
                         (or env RIGBENCH_CONTROLLER_NATS_PASSWORD)
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

# read_secret_file OPTION FILE: the first line of FILE, which must exist and be readable.
read_secret_file() {
  [[ -r "$2" && -f "$2" ]] || die "$1 $2: no such readable file"
  local line=""
  IFS= read -r line <"$2" || true
  [[ -n "$line" ]] || die "$1 $2: the first line is empty"
  printf '%s' "$line"
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
    --nats-password | --nats-password=*)
      die "a password on the command line ends up in shell history and ps: use --nats-password-file FILE, --nats-password-stdin or RIGBENCH_NATS_PASSWORD" ;;
    --nats-password-file)
      need_value "$@"
      if [[ "$2" == "-" ]]; then
        IFS= read -r nats_password || true
        [[ -n "$nats_password" ]] || die "--nats-password-file: '-' gave an empty first line"
      else
        nats_password=$(read_secret_file "$1" "$2")
      fi
      shift 2 ;;
    --nats-password-stdin) IFS= read -r nats_password || true; shift ;;
    --controller-password-file) need_value "$@"; controller_password=$(read_secret_file "$1" "$2"); shift 2 ;;
    --agent) with_agent=1; shift ;;
    --add-agent) need_value "$@"; add_agents+=("$2"); shift 2 ;;
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

if [[ -z "$with_agent" ]]; then
  with_agent=1
  [[ "$with_collector" -eq 0 && "$with_timers" -eq 0 ]] || with_agent=0
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
# The new code goes to a fresh folder next to the prefix, which then replaces the old folder as a whole: files the
# new version no longer has disappear, and nothing of the old code keeps running after the restart below.
echo "== application ($source_kind $from -> $prefix)"
app_existed=0
[[ -d "$root$prefix" ]] && app_existed=1
copy_application() {
  local target="$1" staging="$1.new"
  rm -rf "$staging"
  mkdir -p "$staging"
  if [[ "$source_kind" == tarball ]]; then
    tar -xzf "$from" -C "$staging" --strip-components=1
  else
    local part
    for part in package.json package-lock.json node_modules proto deploy \
      libs/shared/package.json libs/shared/dist \
      apps/agent/package.json apps/agent/bin apps/agent/dist \
      apps/controller/package.json apps/controller/bin apps/controller/dist; do
      [[ -e "$from/$part" ]] || continue
      [[ "$part" != */* ]] || mkdir -p "$staging/${part%/*}"
      cp -a "$from/$part" "$staging/$part"
    done
  fi
  if [[ -e "$target" ]]; then
    rm -rf "$target.old"
    mv "$target" "$target.old"
  fi
  mv "$staging" "$target"
  rm -rf "$target.old"
}
if [[ "$dry_run" -eq 1 ]]; then
  if [[ "$source_kind" == tarball ]]; then
    echo "would run: tar -xzf $from -C $prefix.new --strip-components=1"
  else
    echo "would run: cp -a $from/{package.json,node_modules,proto,deploy,libs,apps} $prefix.new/"
  fi
  echo "would run: mv $prefix.new $prefix (replacing the old folder as a whole)"
else
  if [[ "$source_kind" == checkout && ! -f "$from/apps/agent/dist/main.js" ]]; then
    die "$from is not built ($from/apps/agent/dist/main.js is missing): run 'npm ci && npm run build' there first"
  fi
  copy_application "$root$prefix"
  if [[ "$app_existed" -eq 1 ]]; then echo "replaced $root$prefix (upgrade)"; else echo "installed $root$prefix"; fi
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
if [[ "$with_agent" -eq 1 ]]; then
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
else
  run chown "$SERVICE_USER:$SERVICE_USER" /var/lib/rigbench
fi

# ---- token and config -------------------------------------------------------------------------------------------
echo "== configuration"
token_path=/etc/rigbench/agent.token
config_path=/etc/rigbench/agent.yaml
if [[ "$with_agent" -eq 0 ]]; then
  echo "no agent on this box (--collector / --timers without --agent)"
elif [[ -s "$root$token_path" ]]; then
  echo "kept the existing token in $root$token_path"
else
  generate_token | install_file 0640 "$token_path"
fi

if [[ "$with_agent" -eq 0 ]]; then
  :
elif [[ -s "$root$config_path" && "$force_config" -eq 0 ]]; then
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

if [[ "$with_agent" -eq 1 && -z "$nats_password" ]]; then
  echo "warning: no NATS password given (--nats-password-file, --nats-password-stdin or RIGBENCH_NATS_PASSWORD);" \
    "set nats.password in $config_path"
fi

# ---- controller settings ----------------------------------------------------------------------------------------
# The agents the controller dials, one file each (/etc/rigbench/controller-agents/ID.json, mode 0640), so the
# collector and the timers' `rigbench run` send every agent its own token. RIGBENCH_AGENTS in controller.env is
# rebuilt from these files on every run of install.sh.
agents_dir=/etc/rigbench/controller-agents
write_agent_entry() {
  local id="$1" address="$2" token="$3"
  [[ "$id" =~ ^[A-Za-z0-9_-]+$ ]] || die "--add-agent: agent id '$id' may hold letters, digits, '-' and '_' only"
  [[ "$address" =~ ^[A-Za-z0-9.:_-]+:[0-9]{1,5}$ ]] || die "--add-agent $id: address '$address' is not HOST:PORT"
  [[ "$token" =~ ^[A-Za-z0-9._~+/=-]+$ ]] || die "--add-agent $id: the token holds characters a token cannot hold"
  printf '{"id":"%s","address":"%s","token":"%s"}\n' "$id" "$address" "$token" |
    install_file 0640 "$agents_dir/$id.json"
}
agents_json() {
  local first=1 file
  printf '['
  for file in "$root$agents_dir"/*.json; do
    [[ -f "$file" ]] || continue
    [[ "$first" -eq 1 ]] || printf ','
    first=0
    tr -d '\n' <"$file"
  done
  printf ']'
}
if [[ "$with_collector" -eq 1 || "$with_timers" -eq 1 ]]; then
  make_dir 0750 /var/lib/rigbench/controller
  make_dir 0750 "$agents_dir"
  if [[ "$with_agent" -eq 1 && "$writes_files" -eq 1 ]]; then
    write_agent_entry "$agent_id" "$advertise" "$(head -n1 "$root$token_path")"
  fi
  for entry in "${add_agents[@]}"; do
    [[ "$entry" == *=*:*:* ]] || die "--add-agent '$entry': expected ID=HOST:PORT:TOKEN_FILE"
    entry_id="${entry%%=*}"
    entry_rest="${entry#*=}"
    entry_token_file="${entry_rest##*:}"
    entry_address="${entry_rest%:*}"
    entry_token=$(read_secret_file "--add-agent $entry_id" "$entry_token_file")
    write_agent_entry "$entry_id" "$entry_address" "$entry_token"
  done
  env_path=/etc/rigbench/controller.env
  if [[ ! -s "$root$env_path" ]]; then
    {
      echo "# rigbench controller settings for rigbench-collector.service and rigbench-run@.service."
      echo "# Every variable: rigbench --help. NATS credentials of the 'controller' user."
      echo "RIGBENCH_NATS_SERVERS=$nats_servers"
      echo "RIGBENCH_NATS_USER=controller"
      echo "RIGBENCH_NATS_PASSWORD=$controller_password"
      echo "RIGBENCH_STORE=/var/lib/rigbench/controller/rigbench.db"
      echo "# Plan the morning and night timers run (rigbench-run@morning / rigbench-run@night)."
      echo "RIGBENCH_PLAN=/etc/rigbench/plans/seed-p104.yaml"
      echo "# The agents and their tokens, rebuilt from $agents_dir/*.json by install.sh (--add-agent)."
      echo "RIGBENCH_AGENTS='$(agents_json)'"
    } | install_file 0640 "$env_path"
  elif [[ "$writes_files" -eq 1 ]]; then
    # Keep the user's settings; refresh only the agents line (and the password when a new one was given).
    {
      grep -v -e '^RIGBENCH_AGENTS=' "$root$env_path" |
        if [[ -n "$controller_password" ]]; then
          sed -e "s#^RIGBENCH_NATS_PASSWORD=.*#RIGBENCH_NATS_PASSWORD=$controller_password#"
        else
          cat
        fi
      echo "RIGBENCH_AGENTS='$(agents_json)'"
    } | install_file 0640 "$env_path"
  fi
  if [[ -z "$controller_password" ]] && ! grep -q '^RIGBENCH_NATS_PASSWORD=.' "$root$env_path" 2>/dev/null; then
    echo "warning: no controller NATS password (--controller-password-file or RIGBENCH_CONTROLLER_NATS_PASSWORD);" \
      "set RIGBENCH_NATS_PASSWORD in $env_path"
  fi
fi
run chown -R "root:$SERVICE_USER" /etc/rigbench

# ---- systemd units ----------------------------------------------------------------------------------------------
echo "== systemd units"
# A unit that is already there and differs from the new one is copied to the backup folder before being replaced.
backup_dir="/var/lib/rigbench/backup/units-$(date -u +%Y%m%dT%H%M%SZ)"
# The shipped units assume /opt/rigbench and /usr/bin/node; rewrite both when they differ here.
install_unit() {
  local name="$1" dest="/etc/systemd/system/$1" content
  content=$(sed -e "s#/opt/rigbench#$prefix#g" -e "s#/usr/bin/node#$node_bin#g" "$script_dir/systemd/$name")
  if [[ -f "$root$dest" ]] && [[ "$(cat "$root$dest")" != "$content" ]]; then
    if [[ "$writes_files" -eq 1 ]]; then
      mkdir -p "$root$backup_dir"
      cp -p "$root$dest" "$root$backup_dir/$name"
      echo "backed up $dest to $root$backup_dir/$name"
    else
      echo "would back up $dest to $backup_dir/$name"
    fi
  fi
  printf '%s\n' "$content" | install_file 0644 "$dest"
}
units=()
if [[ "$with_agent" -eq 1 ]]; then
  install_unit rigbench-agent.service
  units+=(rigbench-agent.service)
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
  run systemctl enable "${units[@]}"
  # restart, not `enable --now`: on an upgrade the running services must leave the old code.
  [[ "$start_service" -eq 0 ]] || run systemctl restart "${units[@]}"
fi

# ---- next steps -------------------------------------------------------------------------------------------------
metrics_port="${metrics_listen##*:}"
grpc_host="${advertise%:*}"
if [[ "$with_agent" -eq 0 ]]; then
  cat <<EOF

== next steps
1. Add each agent with its own token: copy the node's /etc/rigbench/agent.token here, then
     sudo deploy/install.sh --collector --add-agent ID=HOST:50051:/path/to/that.token
2. Check the collector: journalctl -u rigbench-collector -f
EOF
  exit 0
fi
cat <<EOF

== next steps
1. Check the agent sees its GPUs and backends (from the controller):
     rigbench info $agent_id
   and on this node:  journalctl -u rigbench-agent -f

2. Add the node to the controller. Its gRPC calls need this node's token, and the controller sends a token
   only to an address it can check (a configured static address), never to one taken from a heartbeat alone.
   Copy $token_path to the controller box and run there
     sudo deploy/install.sh --collector --add-agent $agent_id=$advertise:/path/to/copied.token
   (or, for the CLI alone, add {"id": "$agent_id", "address": "$advertise"} to RIGBENCH_AGENTS and copy the
   token, without printing it, to the controller's per-agent token directory
   (RIGBENCH_AGENT_TOKENS_DIR) as $agent_id.token).

   One NATS identity per agent: on the NATS server, add the user deploy/nats/agent-user.sh $agent_id prints
   (it may publish only this agent's events and heartbeats) and re-run this script with
   --nats-user $agent_id --nats-password-stdin (password on stdin).

3. Add the node to Prometheus: append to deploy/prometheus/targets/agents.json
     { "targets": ["$grpc_host:$metrics_port"], "labels": { "node": "$agent_id" } }

4. Put GGUF models in $models_dir (readable by the '$SERVICE_USER' user).
   CUDA: keep the nvidia-uvm module loaded at boot (echo nvidia-uvm > /etc/modules-load.d/nvidia-uvm.conf).
EOF
