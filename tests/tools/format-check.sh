#!/usr/bin/env bash
# The C sources follow .clang-format (Debian bookworm's clang-format 14,
# installed by build/deps.sh): one test line, naming every file that does
# not and how to fix it ("make format").
set -uo pipefail
cd "$(dirname "$0")/../.."
command -v clang-format >/dev/null || { echo "not ok - tools/format: clang-format not installed (make deps)"; exit 1; }
if [ -d .git ]; then
    mapfile -t files < <(git ls-files '*.c' '*.h')
else
    mapfile -t files < <(find xen-arm-minimal imagebuilder tests -name '*.c' -o -name '*.h' | sort)
fi
bad=()
for f in "${files[@]}"; do
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -eq 0 ]; then
    echo "ok - tools/format (${#files[@]} files follow .clang-format)"
else
    echo "not ok - tools/format: ${#bad[@]} file(s) differ from .clang-format ($(clang-format --version | head -1)); run 'make format':"
    printf '    %s\n' "${bad[@]}"
    exit 1
fi
