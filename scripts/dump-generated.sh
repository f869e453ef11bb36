#!/usr/bin/env bash
# Copies every file the generator produces for the solution's own projects (samples,
# benchmarks, end-to-end corpora) to OUTDIR/<project>/, so that a refactoring can be checked
# byte for byte:
#   scripts/dump-generated.sh /tmp/before; (change); scripts/dump-generated.sh /tmp/after; diff -r /tmp/before /tmp/after
# In-memory generator runs (Dsl.Tests) are pinned by their snapshot files instead.
set -euo pipefail
out=${1:?usage: scripts/dump-generated.sh OUTDIR}
cd "$(dirname "$0")/.."
rm -rf "$out"; mkdir -p "$out"
out=$(cd "$out" && pwd)
# --no-incremental: the generator runs again even where nothing else changed.
dotnet build Dsl.sln -c Release --no-incremental -v q -nologo -p:EmitCompilerGeneratedFiles=true >"$out/build.log" 2>&1 \
  || { tail -30 "$out/build.log"; exit 1; }
rm "$out/build.log"
for dir in $(find Samples Tests -path '*/obj/Release/*/generated/Dsl.Generator' -type d); do
  project=$(echo "$dir" | cut -d/ -f1-2 | tr / _)
  mkdir -p "$out/$project"
  cp -r "$dir"/. "$out/$project/"
done
echo "generated files: $(find "$out" -name '*.cs' | wc -l)"
