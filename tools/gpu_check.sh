#!/usr/bin/env bash
# The checks that need a GPU, as one script for a lent CUDA machine (see bench/RESULTS.md):
# build with NEUROSYS_CUDA=ON, run the device-parametrised tests, then bench/bench_gpu.py.
# Missing pure-Python wheels may be carried in .whl/ (installed to /tmp/site).
set -uo pipefail
export PYTHONUNBUFFERED=1 OMP_WAIT_POLICY=PASSIVE
out=${OUT:-/tmp/gpu-out}; mkdir -p "$out"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site
fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
NEUROSYS_BUILD_JOBS=$(nproc) tools/devbuild.sh gpu -DNEUROSYS_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES=90 2>&1 | tail -3 | tee "$out/build.log"
export PYTHONPATH=$PWD/build/dev-gpu/site${PYTHONPATH:+:$PYTHONPATH}
python3 -c "from neurosys import _core; print('has_cuda', _core.has_cuda, 'devices', _core.cuda_device_count())"
# the device-parametrised cases (the `device` fixture, tests/conftest.py) and the core's device facts
if [ -n "${GPU_TESTS:-}" ]; then read -ra tests <<<"$GPU_TESTS"; else
  tests=(tests/test_core.py tests/snn/test_stdp.py tests/snn/test_brian2_coba.py
         tests/soup/test_soup_engine.py -k "device or test_core"); fi
python3 -m pytest -q -p no:cacheprovider -o addopts="" "${tests[@]}" 2>&1 | tee "$out/tests.log" | tail -25
timeout ${BENCH_TIMEOUT:-240} python3 bench/bench_gpu.py ${BENCH_ARGS:-} 2>&1 | tee "$out/bench.log"
