#!/usr/bin/env python3
"""Every file under plugins/ includes only the SDK (core/include/xinjian/, written
<xinjian/...> or "xinjian/..."), its own plugin folder, the service headers other plugins
publish (plugins/<other>/include/<other>/..., written "<other>/..."), the standard library and
header-only third-party libraries. Anything else (the core's internal headers in core/src,
another plugin's src/ or tests/, SOCI, CLI11, CivetWeb) fails the test, naming the file and
the line.

Issue 13 moves the draw and inspection code onto the SDK in steps. Until the last step, the
include lines that still reach core internals are listed in PENDING below, each exactly; a
listed line that is gone must leave the list too (the test says so), so the list only
shrinks. Usage: check_plugin_includes.py SOURCE_DIR
"""
import pathlib
import re
import sys

# Headers of libraries a plugin may use without linking anything of the host.
ALLOWED_THIRD_PARTY = ("nlohmann/", "boost/", "openssl/", "immintrin.h", "sodium")
FORBIDDEN_THIRD_PARTY = ("soci/", "CLI/", "civetweb", "CivetServer", "sqlite3.h", "libpq-fe.h")

# file (relative to plugins/) -> include targets still reaching core internals. Shrinks to
# nothing as draws and inspections move onto the SDK (issue 13).
PENDING = {
}

# A plugin's own tests (plugins/<name>/tests/) may also use the test framework and the
# shared test support (tests/support/).
TEST_ONLY = ("catch2/",)

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def self_test() -> int:
    """The checker itself: a tree with one good plugin and one that reaches outside."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        t = pathlib.Path(tmp)
        (t / "core/include/xinjian").mkdir(parents=True)
        (t / "core/include/xinjian/plugin.h").write_text("")
        (t / "core/src").mkdir(parents=True)
        (t / "core/src/database.h").write_text("")
        for d in ("good/src", "good/include/good", "bad/src", "other/src", "other/include/other"):
            (t / "plugins" / d).mkdir(parents=True)
        (t / "plugins/good/include/good/api.h").write_text("")
        (t / "plugins/good/src/x.h").write_text("")
        (t / "plugins/other/include/other/service.h").write_text("")
        (t / "plugins/good/src/x.cpp").write_text(
            '#include <xinjian/plugin.h>\n#include "xinjian/plugin.h"\n#include "x.h"\n#include "good/api.h"\n'
            '#include <vector>\n#include <nlohmann/json.hpp>\n#include <unistd.h>\n#include "other/service.h"\n'
            '#include <other/service.h>\n')
        (t / "plugins/other/src/y.h").write_text("")
        (t / "plugins/bad/src/b.cpp").write_text(
            '#include "database.h"\n#include <soci/soci.h>\n#include "../../other/src/y.h"\n#include "../../../core/src/database.h"\n'
            '#include <CLI/CLI.hpp>\n#include "xinjian/missing.h"\n#include "other/y.h"\n'
            '#include "../../other/include/other/service.h"\n#include "other/missing.h"\n')
        global PENDING
        saved, PENDING = PENDING, {}
        try:
            import io, contextlib
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                rc = run(t)
        finally:
            PENDING = saved
        text = out.getvalue()
        want = ["plugins/bad/src/b.cpp:%d:" % n for n in range(1, 10)]
        missing = [w for w in want if w not in text]
        if rc != 1 or missing or "plugins/good/" in text:
            print("self-test failed: rc=%d missing=%s\n%s" % (rc, missing, text))
            return 1
    print("self-test ok: 9 bad include lines found, the good plugin passes (with another plugin's service header)")
    return 0


def main() -> int:
    if sys.argv[1] == "--self-test":
        return self_test()
    return run(pathlib.Path(sys.argv[1]).resolve())


def run(root: pathlib.Path) -> int:
    plugins = root / "plugins"
    sdk = root / "core" / "include"
    problems = []
    seen_pending = {k: set() for k in PENDING}
    for path in sorted(plugins.rglob("*")):
        if path.suffix not in (".h", ".hpp", ".cpp", ".cc", ".c", ".inc") or not path.is_file():
            continue
        rel = path.relative_to(plugins).as_posix()
        own = plugins / rel.split("/")[0]
        for lineno, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(2)
            if target in PENDING.get(rel, ()):
                seen_pending[rel].add(target)
                continue
            if target.startswith("xinjian/") and (sdk / target).is_file():
                continue
            # Another plugin's service header: "<other>/<file>" found in exactly
            # plugins/<other>/include/<other>/ (the interface it provides, service.h).
            first = target.split("/")[0]
            if "/" in target and ".." not in target.split("/") and first != own.name and \
                    (plugins / first / "include" / target).is_file():
                continue
            if "/tests/" in "/" + rel and (target.startswith(TEST_ONLY) or (root / "tests" / "support" / target).is_file()):
                continue
            if any(target.startswith(f) or target == f for f in FORBIDDEN_THIRD_PARTY):
                problems.append(f"plugins/{rel}:{lineno}: {line.strip()}  (a library the SDK hides)")
                continue
            if m.group(1) == '"':
                # Quoted: must resolve inside the plugin's own folder (next to the file or in
                # its src/, include/ folders), never by climbing out of it.
                candidates = [path.parent / target, own / "src" / target, own / "include" / target, own / target]
                hit = next((c for c in candidates if c.is_file()), None)
                if hit is None or own.resolve() not in hit.resolve().parents:
                    problems.append(f"plugins/{rel}:{lineno}: {line.strip()}  (outside the SDK and plugins/{own.name}/)")
                continue
            # Angle brackets: the standard library, or an allowed header-only library.
            if "/" not in target and "." not in target:
                continue  # <vector>, <string>, ...
            if target.endswith(".h") and "/" not in target and target not in FORBIDDEN_THIRD_PARTY:
                # C headers (<unistd.h>, <fcntl.h>, <sys/...> handled below)
                if not any(target.startswith(f) for f in ALLOWED_THIRD_PARTY) and target in ("sqlite3.h", "libpq-fe.h"):
                    problems.append(f"plugins/{rel}:{lineno}: {line.strip()}")
                continue
            if target.startswith(("sys/", "arpa/", "netinet/", "bits/")) or target.startswith(ALLOWED_THIRD_PARTY):
                continue
            problems.append(f"plugins/{rel}:{lineno}: {line.strip()}  (not the SDK, the plugin's folder or an allowed library)")
    for rel, targets in PENDING.items():
        gone = sorted(targets - seen_pending[rel])
        for t in gone:
            problems.append(f"plugins/{rel}: no longer includes {t}: remove it from PENDING in {pathlib.Path(__file__).name}")
    if problems:
        print("插件只能包含 SDK 与本插件目录中的头文件 / plugins may include only the SDK and their own folder:")
        for p in problems:
            print("  " + p)
        return 1
    pending = sum(len(v) for v in PENDING.values())
    print(f"ok: plugins/ includes only the SDK and its own folders ({pending} pending lines of issue 13 listed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
