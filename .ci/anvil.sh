#!/usr/bin/env bash
# A local anvil (Foundry's dev node, from the npm package @foundry-rs/anvil, which ships its
# binary) for the ledger tests.
#   source .ci/anvil.sh; anvil_start   installs it if missing, starts it in the background on
#                                      127.0.0.1 on a free port, exports NEUROSYS_ANVIL_URL
#                                      (and prints it)
#   anvil_stop                         stops the anvil that anvil_start left running
# Run as a script instead: .ci/anvil.sh start | stop (start then only prints the URL).
# Installs into $NEUROSYS_ANVIL_PREFIX (default: build/tools/anvil, ignored by git).
_anvil_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_anvil_prefix=${NEUROSYS_ANVIL_PREFIX:-$_anvil_root/build/tools/anvil}
_anvil_version=${NEUROSYS_ANVIL_VERSION:-1.7.1}

_anvil_bin() {
  # the platform package's binary (the wrapper in .bin is a node script that execs it)
  local b
  for b in "$_anvil_prefix"/node_modules/@foundry-rs/anvil-*/bin/anvil; do
    [ -x "$b" ] && { echo "$b"; return 0; }
  done
  return 1
}

anvil_start() {
  local bin port pid url i
  if ! bin=$(_anvil_bin); then
    mkdir -p "$_anvil_prefix"
    echo "installing @foundry-rs/anvil@$_anvil_version into $_anvil_prefix" >&2
    npm install --prefix "$_anvil_prefix" --no-save --no-audit --no-fund \
      "@foundry-rs/anvil@$_anvil_version" >&2 || return 1
    bin=$(_anvil_bin) || { echo "anvil.sh: no anvil binary after npm install" >&2; return 1; }
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$bin" --host 127.0.0.1 --port "$port" --silent >"$_anvil_prefix/anvil.log" 2>&1 &
  pid=$!
  echo "$pid" >"$_anvil_prefix/anvil.pid"
  url="http://127.0.0.1:$port"
  for i in $(seq 1 100); do
    if python3 - "$url" <<'PY' 2>/dev/null
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode(), headers={"Content-Type": "application/json"})
urllib.request.urlopen(req, timeout=1).read()
PY
    then
      export NEUROSYS_ANVIL_URL="$url"
      echo "$url"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "anvil.sh: anvil did not start (log: $_anvil_prefix/anvil.log)" >&2
  kill "$pid" 2>/dev/null
  return 1
}

anvil_stop() {
  local pidfile="$_anvil_prefix/anvil.pid"
  if [ -f "$pidfile" ]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  fi
  unset NEUROSYS_ANVIL_URL
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    start) anvil_start ;;
    stop) anvil_stop ;;
    *) echo "usage: source .ci/anvil.sh; anvil_start ... anvil_stop  (or .ci/anvil.sh start|stop)" >&2
       exit 2 ;;
  esac
fi
