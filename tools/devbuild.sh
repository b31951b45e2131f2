#!/usr/bin/env bash
# Development build in a private folder, so several people (or agents) can build and test at
# once without sharing a build tree:  tools/devbuild.sh NAME [extra cmake -D args]
# then:  PYTHONPATH=build/dev-NAME/site python -m pytest tests/...
# The site folder links to the live sources in python/neurosys plus the freshly built _core.
# NEUROSYS_CORE=/path/to/_core.so skips the build and links that module instead (Python-only work).
set -euo pipefail
name=${1:?usage: tools/devbuild.sh NAME [cmake args]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
bdir="$root/build/dev-$name"
if [ -n "${NEUROSYS_CORE:-}" ]; then
  core=$NEUROSYS_CORE
else
if [ ! -f "$bdir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNEUROSYS_CUDA=OFF \
    -Dpybind11_DIR="$(${PYTHON:-python3} -m pybind11 --cmakedir)" "$@" >/dev/null
fi
cmake --build "$bdir" -j "${NEUROSYS_BUILD_JOBS:-2}"
core=$(ls "$bdir"/_core*.so | head -n1)
fi
site="$bdir/site/neurosys"
mkdir -p "$site"
for entry in "$root"/python/neurosys/*; do
  ln -sfn "$entry" "$site/$(basename "$entry")"
done
ln -sfn "$core" "$site/"
echo "export PYTHONPATH=$bdir/site"
