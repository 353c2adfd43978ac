#!/usr/bin/env bash
# Runs the whole test suite, built with AddressSanitizer and UndefinedBehaviorSanitizer.
# Installs what is missing first (scripts/setup.sh), so it works on a fresh Debian 12 machine.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/setup.sh" --no-build

build=${DFLAB_TEST_BUILD_DIR:-$here/build-test}
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDFLAB_SANITIZE=ON -DDFLAB_WERROR=ON >/dev/null
cmake --build "$build" -j "$(nproc)"

# Fixture images are built once, before the tests run side by side.
bash "$here/tests/fixtures/make.sh" "$build/tests/fixtures"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1:suppressions=$here/tests/asan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/tests/lsan.supp:print_suppressions=0}
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 900
