#!/usr/bin/env bash
# Starts the OSS and SLS stand-ins, checks them against the official SDKs (sdk_selfcheck.py),
# then runs the runtime's own signers against them (crates/acs-runtime/tests/oss_sls_interop.rs)
# and prints the stand-ins' verdicts. Needs PyPI for the first run (tests/interop/setup.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work=$(mktemp -d)
oss_pid=0 sls_pid=0
trap 'kill "$oss_pid" "$sls_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

PY=$("$here/setup.sh" | tail -n1) || { echo "interop-oss-sls: skipped, the official packages could not be installed"; exit 0; }
"$PY" "$here/sdk_selfcheck.py" >"$work/selfcheck.out" 2>"$work/selfcheck.err" || { cat "$work/selfcheck.out"; exit 1; }
echo "official SDKs against the stand-ins: $(tail -n1 "$work/selfcheck.out")"

"$PY" "$here/verify_server.py" --service oss --port-file "$work/oss.port" --log "$work/oss.jsonl" 2>"$work/oss.err" &
oss_pid=$!
"$PY" "$here/verify_server.py" --service sls --port-file "$work/sls.port" --log "$work/sls.jsonl" 2>"$work/sls.err" &
sls_pid=$!
for _ in $(seq 100); do [ -s "$work/oss.port" ] && [ -s "$work/sls.port" ] && break; sleep 0.1; done
export ACS_OSS_VERIFY_SERVER_URL="http://127.0.0.1:$(cat "$work/oss.port")"
export ACS_SLS_VERIFY_SERVER_URL="http://127.0.0.1:$(cat "$work/sls.port")"
(cd "$root" && cargo test --quiet -p acs-runtime --test oss_sls_interop -- --nocapture) || {
  grep -v "^\[verify\] 20[046] OK" "$work/oss.err" "$work/sls.err" | head -60; exit 1; }

"$PY" - "$work/oss.jsonl" "$work/sls.jsonl" <<'PY'
import collections, json, sys
for path in sys.argv[1:]:
    verdicts = [json.loads(line) for line in open(path, encoding="utf-8")]
    kinds = collections.Counter((v.get("detail") or {}).get("style", "-") + " " + v["result"] for v in verdicts)
    print(f"{path.rsplit('/', 1)[-1].split('.')[0]}: {len(verdicts)} requests; " +
          ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())))
PY
