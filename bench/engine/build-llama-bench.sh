#!/usr/bin/env bash
# Builds llama.cpp's own llama-bench from the release bundled with node-llama-cpp and links it against
# node-llama-cpp's *prebuilt* CPU libraries, so `npm run bench:engine` compares rigbench and llama-bench on the
# same binaries: only llama-bench's two source files are compiled (seconds, not the 15 minutes of a full build).
#
#   bash bench/engine/build-llama-bench.sh [OUT_DIR]      (default: .cache/llama-bench, git-ignored)
#   LLAMA_BENCH=.cache/llama-bench/llama-bench npm run bench:engine
#
# The binary is never committed. Needs git and g++ (C++17).
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(realpath -m "${1:-.cache/llama-bench}")"
bundle=node_modules/node-llama-cpp/llama/gitRelease.bundle
bins=""
for dir in node_modules/@node-llama-cpp/linux-x64/bins/*/; do [ -d "$dir" ] && bins="$dir" && break; done
[ -f "$bundle" ] || { echo "build-llama-bench: $bundle not found; run npm ci first" >&2; exit 1; }
[ -n "$bins" ] || { echo "build-llama-bench: node-llama-cpp's prebuilt linux-x64 binaries not found" >&2; exit 1; }
# The file name of library $1 in $bins (plain or versioned, e.g. libllama.v0.4.0.so).
lib() {
  local f
  for f in "$bins$1.so" "$bins$1".v*.so; do
    if [ -f "$f" ]; then basename "$f"; return; fi
  done
  echo "build-llama-bench: $1.so missing in $bins" >&2
  exit 1
}
llama=$(lib libllama)
ggml=$(lib libggml)
common=$(lib libllama-common)
mkdir -p "$out"
src="$out/src"
[ -d "$src/.git" ] || git -c advice.detachedHead=false clone -q "$bundle" "$src"
# ggml loads its CPU backend variants from the executable's directory: link every prebuilt library there.
ln -sf "$(realpath "$bins")"/*.so "$out/"
g++ -O2 -DNDEBUG -std=c++17 -I"$src/include" -I"$src/ggml/include" -I"$src/common" -I"$src/vendor" \
  -I"$src/tools/llama-bench" "$src/tools/llama-bench/llama-bench.cpp" "$src/tools/llama-bench/main.cpp" \
  -o "$out/llama-bench" -L"$out" -l:"$common" -l:"$llama" -l:"$ggml" -l:libggml-base.so -lpthread \
  -Wl,-rpath,"\$ORIGIN"
echo "$out/llama-bench"
