#!/usr/bin/env bash
# Publishes Tests/GpuCheck self-contained for linux-x64 (no .NET needed on the GPU machine) and packs it:
#   scripts/publish-gpucheck.sh [OUTDIR]   (default .gpu) -> OUTDIR/gpucheck.txz (about 30 MB)
# On the GPU machine: mkdir -p /tmp/g && tar xJf gpucheck.txz -C /tmp/g && /tmp/g/GpuCheck --device gpu
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.gpu}"
rm -rf "$out/gpucheck" && mkdir -p "$out"
dotnet publish Tests/GpuCheck -c Release -r linux-x64 --self-contained -o "$out/gpucheck" -v quiet -nologo
tar cJf "$out/gpucheck.txz" -C "$out/gpucheck" .
ls -la "$out/gpucheck.txz"
