#!/usr/bin/env bash
# Static checks: deno fmt --check, deno lint, deno check (sources, tests, bench, examples)
# and deno doc --lint on the public modules (mod.ts and every export of deno.json).
# Every step runs even when an earlier one failed; the exit status is non-zero if any did.
#
#   bash scripts/check.sh
#
# (A script rather than a `deno task` line: inside `deno task`, a command named `deno` resolves
# to node_modules/.bin/deno, which Deno then tries to run as JavaScript and fails on.)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2
DENO="deno"
[[ -x "$ROOT/node_modules/.bin/deno" ]] && DENO="$ROOT/node_modules/.bin/deno"

# Type-check targets that exist (folders only when they hold a .ts file).
targets=()
for t in mod.ts cli.ts core server client tests bench examples; do
  if [[ -f "$t" ]] || { [[ -d "$t" ]] && [[ -n "$(find "$t" -name '*.ts' -print -quit)" ]]; }; then
    targets+=("$t")
  fi
done
# Public modules: mod.ts + deno.json exports.
mapfile -t public < <(node -e '
  const cfg = JSON.parse(require("fs").readFileSync("deno.json", "utf8"));
  const set = new Set(["./mod.ts", ...Object.values(cfg.exports || {})]);
  for (const f of set) console.log(f.replace(/^\.\//, ""));
')

failed=()
step() {
  local name="$1" start=$SECONDS
  shift
  echo "--- $name: ${*/#$ROOT\/node_modules\/.bin\//}"
  if "$@"; then
    echo "--- $name: ok ($((SECONDS - start))s)"
  else
    echo "--- $name: FAILED ($((SECONDS - start))s)"
    failed+=("$name")
  fi
}

step fmt "$DENO" fmt --check
step lint "$DENO" lint
step "type check" "$DENO" check "${targets[@]}"
step "doc lint" "$DENO" doc --lint "${public[@]}"
[[ -f README.md ]] && step "readme examples" "$DENO" check --doc-only README.md

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "check: FAILED: ${failed[*]}"
  exit 1
fi
echo "check: all clean"
