#!/usr/bin/env bash
# The generated OSS and SLS clients end to end against the stand-ins (tests/tests/it/oss_sls_e2e.rs):
# makes the venv (PyPI, once; skipped loudly when it cannot be installed), starts both
# stand-ins, runs the test, then the > 256 MiB streamed object alone under /usr/bin/time -v
# for its peak RSS, and prints the stand-ins' verdicts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work=$(mktemp -d)
oss_pid=0 sls_pid=0
trap 'kill "$oss_pid" "$sls_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

PY=$("$here/setup.sh" | tail -n1) || { echo "oss-sls-e2e: skipped, the official packages could not be installed"; exit 0; }
"$PY" "$here/verify_server.py" --service oss --port-file "$work/oss.port" --log "$work/oss.jsonl" --max-skew-seconds 900 2>"$work/oss.err" &
oss_pid=$!
"$PY" "$here/verify_server.py" --service sls --port-file "$work/sls.port" --log "$work/sls.jsonl" --max-skew-seconds 900 2>"$work/sls.err" &
sls_pid=$!
for _ in $(seq 100); do [ -s "$work/oss.port" ] && [ -s "$work/sls.port" ] && break; sleep 0.1; done
export ACS_OSS_VERIFY_SERVER_URL="http://127.0.0.1:$(cat "$work/oss.port")"
export ACS_SLS_VERIFY_SERVER_URL="http://127.0.0.1:$(cat "$work/sls.port")"
cd "$root"
cargo test --quiet -p tests --test it oss_sls_e2e -- --nocapture || {
  grep -v "^\[verify\] 20[046] OK" "$work/oss.err" "$work/sls.err" | head -60; exit 1; }

# The large transfer alone, so the peak RSS is the test process's own.
binary=$(cargo test -p tests --test it --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*\/it-[^"]*\)".*/\1/p' | tail -n1)
if [ -x /usr/bin/time ]; then
  /usr/bin/time -v "$binary" --ignored --exact oss_sls_e2e::large_object_streams --nocapture 2>"$work/time.err"
  grep -E "Maximum resident set size|Elapsed \(wall" "$work/time.err"
else
  "$binary" --ignored --exact oss_sls_e2e::large_object_streams --nocapture
  echo "(no /usr/bin/time here: peak RSS not measured)"
fi

"$PY" - "$work/oss.jsonl" "$work/sls.jsonl" <<'PY'
import collections, json, sys
for path in sys.argv[1:]:
    verdicts = [json.loads(line) for line in open(path, encoding="utf-8")]
    kinds = collections.Counter((v.get("detail") or {}).get("style", "-") + " " + v["result"] for v in verdicts)
    print(f"{path.rsplit('/', 1)[-1].split('.')[0]}: {len(verdicts)} requests; " +
          ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())))
PY
