#!/usr/bin/env bash
# Runs the whole test suite (every tests/**/*_test.ts) on Deno and on Bun.
#
#   bash scripts/test.sh                     # everything (what `npm test` and `deno task test` run)
#   bash scripts/test.sh tests/core/net      # only the test files under these paths
#   UHTTP_TEST_FILTER=protocol bash scripts/test.sh   # only test files whose path matches this
#                                                     # extended regex (grep -E)
#   UHTTP_TEST_RUNTIMES=deno bash scripts/test.sh     # one runtime only (default: "deno bun")
#   UHTTP_TEST_TIMEOUT=600                   # seconds allowed per runtime (default 600)
#   UHTTP_TEST_PARALLEL=0                    # Deno: run the files one after another
#                                            # (default: deno test --parallel)
#
# The runners' output is shown as it comes. At the end it prints one line per runtime and
# then, as the very last line, `N passed, N failed` summed over both runtimes. The exit
# status is non-zero when a test failed, a runner could not run, or no test file was found.
# Runtimes come from node_modules/.bin (package.json pins their versions), else from PATH.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2

RUNTIMES="${UHTTP_TEST_RUNTIMES:-deno bun}"
TIMEOUT_S="${UHTTP_TEST_TIMEOUT:-600}"
FILTER="${UHTTP_TEST_FILTER:-}"

bin() {
  if [[ -x "$ROOT/node_modules/.bin/$1" ]]; then
    echo "$ROOT/node_modules/.bin/$1"
  elif command -v "$1" >/dev/null 2>&1; then
    command -v "$1"
  fi
}

# Collect the test files: tests/**/*_test.ts (never node_modules), sorted, as ./paths
# (Bun treats an argument without ./ as a name filter, not as a path).
roots=("$@")
[[ ${#roots[@]} -eq 0 ]] && roots=(tests)
files=()
for r in "${roots[@]}"; do
  r="${r#./}"
  if [[ -f "$r" ]]; then
    files+=("./$r")
  elif [[ -d "$r" ]]; then
    while IFS= read -r f; do files+=("$f"); done < <(
      find "./$r" -path '*/node_modules' -prune -o -type f -name '*_test.ts' -print | LC_ALL=C sort
    )
  else
    echo "test.sh: no such file or directory: \"$r\"" >&2
    exit 2
  fi
done
if [[ -n "$FILTER" ]]; then
  kept=()
  for f in "${files[@]}"; do
    if grep -qE -- "$FILTER" <<<"$f"; then kept+=("$f"); fi
  done
  files=("${kept[@]+"${kept[@]}"}")
fi

if [[ ${#files[@]} -eq 0 ]]; then
  echo "test.sh: no test files found (looked for *_test.ts under: ${roots[*]}${FILTER:+, filter \"$FILTER\"})" >&2
  echo "0 passed, 0 failed"
  exit 1
fi
echo "test.sh: ${#files[@]} test file(s); runtimes: $RUNTIMES"

timeout_cmd=()
if command -v timeout >/dev/null 2>&1; then timeout_cmd=(timeout --kill-after=10 "$TIMEOUT_S"); fi

LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/uhttp-test.XXXXXX")"
trap 'rm -rf "$LOG_DIR"' EXIT

strip_ansi() { sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g'; }

total_passed=0
total_failed=0
status=0
summary_lines=()

for rt in $RUNTIMES; do
  exe="$(bin "$rt")"
  log="$LOG_DIR/$rt.log"
  if [[ -z "$exe" ]]; then
    summary_lines+=("$rt: not found (run npm install): counted as 1 failure")
    total_failed=$((total_failed + 1))
    status=1
    continue
  fi
  case "$rt" in
    deno)
      # --parallel: one worker per core, each file in its own; halves the wall time on
      # 2 cores. (Deno runs node:test tests without its op/resource sanitizers either way.)
      par=(--parallel)
      [[ "${UHTTP_TEST_PARALLEL:-1}" == 0 ]] && par=()
      cmd=("$exe" test -A "${par[@]+"${par[@]}"}" "${files[@]}")
      ;;
    bun) cmd=("$exe" test "${files[@]}") ;;
    *)
      echo "test.sh: unknown runtime \"$rt\"" >&2
      exit 2
      ;;
  esac
  echo
  echo "=== $rt: ${cmd[0]##*/} ${cmd[*]:1:$((${#cmd[@]} - 1 - ${#files[@]}))} <${#files[@]} files> ==="
  start=$SECONDS
  "${timeout_cmd[@]}" "${cmd[@]}" </dev/null 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  secs=$((SECONDS - start))
  plain="$(strip_ansi <"$log")"

  passed="" failed=""
  if [[ "$rt" == deno ]]; then
    # e.g. "ok | 12 passed (3 steps) | 0 failed (1s)" or "FAILED | 4 passed | 1 failed (2 steps) (9ms)"
    line="$(grep -E '^(ok|FAILED) \| [0-9]+ passed' <<<"$plain" | tail -n 1)"
    if [[ -n "$line" ]]; then
      passed="$(sed -E 's/.*\| ([0-9]+) passed.*/\1/' <<<"$line")"
      failed="$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$line")"
    fi
  else
    # e.g. " 12 pass" / " 1 fail" / " 1 error" on lines of their own, then "Ran 13 tests across 4 files."
    if grep -qE '^Ran [0-9]+ tests? across' <<<"$plain"; then
      passed="$(grep -E '^ *[0-9]+ pass$' <<<"$plain" | tail -n 1 | tr -dc '0-9')"
      failed="$(grep -E '^ *[0-9]+ fail$' <<<"$plain" | tail -n 1 | tr -dc '0-9')"
      errors="$(grep -E '^ *[0-9]+ errors?$' <<<"$plain" | tail -n 1 | tr -dc '0-9')"
      passed="${passed:-0}" failed="${failed:-0}"
      # An error outside any test (a file that does not load) is already one "fail" in
      # Bun's count; make sure it is never lost.
      if [[ "${errors:-0}" -gt 0 && "$failed" -eq 0 ]]; then failed="$errors"; fi
    fi
  fi

  if [[ -z "$passed" ]]; then
    why="exit $rc"
    [[ $rc -eq 124 || $rc -eq 137 ]] && why="timed out after ${TIMEOUT_S}s"
    summary_lines+=("$rt: no test summary ($why): counted as 1 failure (${secs}s)")
    total_failed=$((total_failed + 1))
    status=1
    continue
  fi
  note=""
  if [[ $rc -ne 0 && "$failed" -eq 0 ]]; then
    # The runner failed although no test did (e.g. an unhandled error after the last test).
    note=" — runner exited $rc with no failed test: counted as 1 failure"
    failed=1
  fi
  [[ "$failed" -gt 0 ]] && status=1
  summary_lines+=("$rt: $passed passed, $failed failed (${secs}s)$note")
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
done

echo
echo "=== test summary ==="
for l in "${summary_lines[@]}"; do echo "$l"; done
echo "$total_passed passed, $total_failed failed"
exit $status
