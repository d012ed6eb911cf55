#!/usr/bin/python3
"""The documentation example runner catches what it must (tests/docs/run_examples.py).

Usage: test_runner.py --cli BUILD/bin/xinjian

Runs the runner on the Markdown files of tests/docs/fixtures/: good.md uses every form of the
convention correctly and must pass; each bad-*.md holds one mistake that the runner must
report with the file, the line and the command, and the right exit status. Python 3 standard
library only; prints one line per fixture and exits 1 when any expectation fails.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
RUNNER = os.path.join(HERE, "run_examples.py")

# fixture -> (exit status of the runner, the line of the fixture it must name (found by this
# text), further texts its output must contain)
CASES = {
    "good.md": (0, None, ["ok   ", "commands run", "not run (marked)"]),
    "bad-exit.md": (1, "twenty", ["exit status 2, expected 0", "xinjian calendar add-workdays 2025-01-20 twenty"]),
    "bad-output.md": (1, "2025-02-20", ["does not contain '2025-02-20'"]),
    "bad-console.md": (1, "$ xinjian cron next", ["stdout differs", "2025-02-05T09:00:00+08:00"]),
    "bad-expected-failure.md": (1, "add-workdays 2025-01-20 20", ["exit status 0, expected 1"]),
    "bad-skip-without-reason.md": (2, "<!-- example: skip -->", ["needs its reason"]),
    "bad-stale-skip.md": (2, "<!-- example: skip", ['"xinjian serve" matches no command']),
}


def line_of(path, text):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if text in line:
                return n
    raise AssertionError("%s does not contain %r" % (path, text))


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    args = ap.parse_args(argv)
    root = os.path.dirname(os.path.dirname(HERE))
    failures = 0
    found = sorted(f for f in os.listdir(FIXTURES) if f.endswith(".md"))
    if found != sorted(CASES):
        print("FAIL the fixtures %s and the cases %s differ" % (found, sorted(CASES)))
        return 1
    for name, (status, anchor, texts) in sorted(CASES.items()):
        path = os.path.join(FIXTURES, name)
        p = subprocess.run([sys.executable, RUNNER, "--cli", args.cli, "--root", root, path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        out = p.stdout.decode("utf-8", "replace")
        want = list(texts)
        if anchor is not None:
            want.append("tests/docs/fixtures/%s:%d:" % (name, line_of(path, anchor)))
        problems = []
        if p.returncode != status:
            problems.append("runner exit status %d, expected %d" % (p.returncode, status))
        problems += ["output lacks %r" % t for t in want if t not in out]
        if status == 1 and out.count("FAIL ") != 1:
            problems.append("expected exactly one FAIL line (the first failure stops the file)")
        if problems:
            failures += 1
            print("FAIL %s: %s\n%s" % (name, "; ".join(problems), "\n".join("    | " + l for l in out.splitlines())))
        else:
            print("ok   %s (runner exit status %d)" % (name, status))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
