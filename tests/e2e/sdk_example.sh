#!/usr/bin/env bash
# The plugin SDK as an author outside the XinJian tree uses it: install the SDK, build
# docs/examples/hello-plugin against it with find_package(xinjian), and check that the
# xinjian executable loads the result. Also checks that the built plugin exports only the
# two plugin symbols and that the installed executable finds the installed built-in plugins.
# Environment (set by tests/CMakeLists.txt): XJ_CLI, XJ_SOURCE_DIR, XJ_BINARY_DIR.
set -euo pipefail
: "${XJ_CLI:?}" "${XJ_SOURCE_DIR:?}" "${XJ_BINARY_DIR:?}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step() { echo "== $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }
# Runs a command quietly; shows its output when it fails.
quiet() { "$@" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; fail "$*"; }; }

step "install the SDK into $tmp/sdk"
quiet cmake --install "$XJ_BINARY_DIR" --prefix "$tmp/sdk"
for f in include/xinjian/plugin.h include/xinjian/events.h include/xinjian/status.h include/xinjian/sampler.h \
    include/xinjian/entropy.h include/xinjian/job.h; do
  [[ -f "$tmp/sdk/$f" ]] || fail "$f was not installed"
done
config=$(find "$tmp/sdk" -name xinjianConfig.cmake -print -quit)
[[ -n "$config" ]] || fail "xinjianConfig.cmake was not installed"

step "configure and build docs/examples/hello-plugin out of tree"
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
quiet cmake -S "$XJ_SOURCE_DIR/docs/examples/hello-plugin" -B "$tmp/hello" "${generator[@]}" \
  -DCMAKE_PREFIX_PATH="$tmp/sdk" -DCMAKE_BUILD_TYPE=RelWithDebInfo
quiet cmake --build "$tmp/hello"
lib="$tmp/hello/plugins/hello/plugin.so"
[[ -f "$lib" && -f "$tmp/hello/plugins/hello/plugin.json" ]] || fail "plugins/hello/{plugin.so,plugin.json} not built"

step "only xj_plugin_abi and xj_plugin_init are exported (hidden visibility)"
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort | tr '\n' ' ')
[[ "$exported" == "xj_plugin_abi xj_plugin_init " ]] || fail "exported functions: $exported"

step "xinjian plugins list --json lists hello as loaded, with its subscriber and job handler"
out=$(XINJIAN_PLUGIN_PATH="$tmp/hello/plugins" "$XJ_CLI" plugins list --json)
python3 -c '
import json, sys
plugins = json.loads(sys.argv[1])
hello = [p for p in plugins if p["name"] == "hello"]
assert len(hello) == 1, plugins
h = hello[0]
assert h["state"] == "loaded", h
assert h["error"] == "", h
assert h["version"] == "1.0.0" and h["abi"] == 1 and h["capabilities"] == ["subscriber", "job"], h
assert h["registered"] == {"subscriber": ["hello"], "job": ["hello.greet"]}, h
assert h["status"] == "experimental", h
print("hello:", h["state"], h["dir"])
' "$out"
XINJIAN_PLUGIN_PATH="$tmp/hello/plugins" "$XJ_CLI" plugins list | grep -q "job:hello.greet" \
  || fail "the plugins table does not show the job handler hello.greet"

step "--require-plugin hello succeeds, --require-plugin missing fails"
XINJIAN_PLUGIN_PATH="$tmp/hello/plugins" "$XJ_CLI" --require-plugin hello plugins list >/dev/null
if XINJIAN_PLUGIN_PATH="$tmp/hello/plugins" "$XJ_CLI" --require-plugin no-such-plugin plugins list \
    >/dev/null 2>"$tmp/err"; then
  fail "a missing required plugin did not fail the command"
fi
grep -q "required plugin 'no-such-plugin' not found" "$tmp/err" || { cat "$tmp/err" >&2; fail "error text"; }

step "the installed xinjian finds the installed built-in plugins (lib/xinjian/plugins)"
if [[ -x "$tmp/sdk/bin/xinjian" ]]; then
  out=$(env -u XINJIAN_PLUGIN_PATH "$tmp/sdk/bin/xinjian" plugins list --json)
  python3 -c '
import json, sys
plugins = {p["name"]: p for p in json.loads(sys.argv[1])}
assert plugins.get("event-feed", {}).get("state") == "loaded", plugins
' "$out"
else
  fail "bin/xinjian was not installed"
fi
echo "OK"
