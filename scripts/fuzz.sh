#!/usr/bin/env bash
# `make fuzz` (README, "Fuzzing"): every target of fuzz/ for FUZZ_SECONDS (default 600) each,
# one after the other in one process (one core: no -jobs), and a line per target with its executions and coverage.
# Fails on the first crash, timeout or out-of-memory; libFuzzer's input is then in
# fuzz/artifacts/<target>/ and its log in fuzz/artifacts/<target>.log.
#
#   FUZZ_SECONDS=60 FUZZ_TARGETS=push make fuzz     # one target, one minute
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

seconds=${FUZZ_SECONDS:-600}
targets=${FUZZ_TARGETS:-push push_query answers errcode}
# cargo-fuzz needs -Z flags; RUSTC_BOOTSTRAP lets the stable toolchain take them, so no nightly
# has to be downloaded. A target dir of its own: the instrumented build shares nothing.
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/fuzz}

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Seeds: the committed ones (fuzz/seeds/<target>, read only) and, for push, the bodies and
# plaintexts of the crypto fixtures, written into the growing corpus.
mkdir -p fuzz/artifacts
for t in $targets; do mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t"; done
python3 - fuzz/corpus/push <<'PY'
import hashlib, json, pathlib, sys
out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
fixtures = pathlib.Path("src-tauri/wechat/tests/fixtures")
texts = []
for case in json.loads((fixtures / "crypto-vectors.json").read_text())["cases"]:
    texts += [case.get("body"), case.get("plaintext")]
def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
texts += [s for s in strings(json.loads((fixtures / "official-crypto-vectors.json").read_text())) if "<xml>" in s]
for t in filter(None, texts):
    data = t.encode()
    (out / hashlib.sha1(data).hexdigest()).write_bytes(data)
PY

(cd fuzz && cargo fuzz build -O)

summary=()
for t in $targets; do
  log=fuzz/artifacts/$t.log
  echo "fuzz: $t for ${seconds}s (log: $log)"
  status=0
  started=$SECONDS
  (cd fuzz && cargo fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
     -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 -print_final_stats=1) \
    >"$log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
  line="$t: $((SECONDS - started))s, ${execs:-?} executions, ${cov:-no coverage line}"
  if [ "$status" -ne 0 ]; then
    line="$line, FAILED (exit $status): $(grep -m1 -E 'ERROR: libFuzzer|panicked at|SUMMARY' "$log" || true)"
    echo "$line"
    grep -E 'Test unit written to|artifact_prefix' "$log" || true
    printf '%s\n' "${summary[@]}" "$line"
    exit 1
  fi
  echo "$line"
  summary+=("$line")
done
echo
printf '%s\n' "${summary[@]}"
