#!/usr/bin/env bash
# Mutation score of one module (or a few): `bash scripts/mutation-module.sh src/server/mask-error.ts [more files]`.
# Runs only the unit tests that import the given files (the only ones that can kill their mutants), so it takes
# minutes where `npm run mutation` takes an hour; the score is the same. Extra Stryker flags go after `--`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
files=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do files+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#files[@]} -gt 0 ] || { echo "usage: $0 src/file.ts [...] [-- stryker flags]" >&2; exit 2; }
tests=$(npx jest --selectProjects unit --listTests --findRelatedTests "${files[@]}" 2>/dev/null | grep '^/' | grep -v 'architecture\.test\.ts$' || true)
[ -n "$tests" ] || { echo "no unit test imports ${files[*]}: every mutant would survive" >&2; exit 1; }
echo "unit tests that import ${files[*]}:" >&2
echo "$tests" | sed 's/^/  /' >&2
mutate=$(IFS=,; echo "${files[*]}")
STRYKER_TESTS="$tests" exec npx stryker run --mutate "$mutate" "$@"
