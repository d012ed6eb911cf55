#!/usr/bin/python3
"""Runs the command examples of Markdown files (README.md, docs/*.md) with the real binary.

Usage:
  run_examples.py --cli BUILD/bin/xinjian [--root SOURCE_DIR] [--list] [--keep] [-v] FILE.md...

Python 3 standard library only. Exit status 0 when every example of every file ran as
written, 1 when one did not (the message names the file, the line and the command), 2 for a
bad command line or a malformed marker. The convention (also in docs/README.md, "Examples
are tested"):

- A fenced block whose info string is `sh`, `bash` or `shell` is a command example: each
  command in it runs, in order, and must exit with status 0. A command is a line, with its
  `\\` continuation lines and its here-document (`<<'EOF'` ... `EOF`) if any. Comment lines
  and blank lines are ignored. An arrow in a trailing comment (`# → TEXT`, or
  `# what it does → TEXT`) says that the command's output (stdout and stderr) contains TEXT.
- A `console` block holds `$ COMMAND` lines, each followed by the exact lines it prints on
  stdout (trailing spaces ignored; a line `...` stands for any number of lines).
- Any other block (```json, ```text, or none: a synopsis with placeholders such as `ID`) is
  not run.
- HTML comments just before a block (blank lines and other such comments may come in
  between) change how it is used:
    <!-- example: skip (REASON) -->               the block is not run
    <!-- example: skip "PREFIX" (REASON) -->      its commands starting with PREFIX are not run
    <!-- example: exit N -->                      every command of the block exits with N
    <!-- example: exit N "PREFIX" -->             the commands starting with PREFIX exit with N
    <!-- example: file PATH -->                   the block's text is written to PATH in the
                                                  scratch folder before the next command (not run)
  A skip needs a reason; a PREFIX that matches no command of its block is an error, so a
  marker cannot outlive its command.
- All blocks of one file run in order in one scratch folder (the current folder of the
  commands), which holds symbolic links to the source tree's `docs`, `tools` and `schemas`
  and to the build folder as `build`, so paths written relative to the repository root work.
  `xinjian` on PATH is the binary under test; the database is the default
  `sqlite:xinjian.db` of the scratch folder. `export` and `cd` carry over to the following
  commands of the same file. The environment has no XINJIAN_* variable of the caller; HOME
  is the scratch folder; the process clock is fixed (XINJIAN_NOW=2026-06-15T10:00:00,
  Beijing time) unless an example sets its own, so no outcome depends on the day the test
  runs.
- The first command that fails stops its file (later commands would only fail in turn).
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

RUN_LANGS = {"sh", "bash", "shell"}
CONSOLE_LANGS = {"console"}
DEFAULT_NOW = "2026-06-15T10:00:00"
COMMAND_TIMEOUT = 300  # seconds; the machine may be loaded, and a timeout is a failure anyway

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)[^`]*$")
DIRECTIVE = re.compile(r"^\s*<!--\s*example:\s*(?P<body>.*?)\s*-->\s*$")
EXPECT = re.compile(r"\s#[^→]*→\s*(?P<text>.+?)\s*$")
HEREDOC = re.compile(r"<<-?\s*(['\"]?)(?P<word>[A-Za-z_][A-Za-z0-9_]*)\1")


class MarkerError(Exception):
    """A malformed example marker: the file itself is wrong."""


class Command:
    def __init__(self, line, text, expect_text=None, expect_lines=None):
        self.line = line              # 1-based line in the Markdown file
        self.text = text              # what bash runs (may span lines)
        self.expect_text = expect_text  # `# → TEXT`: the output contains TEXT
        self.expect_lines = expect_lines  # console block: stdout lines (None: not checked)
        self.exit = 0
        self.skip = None              # reason, when not run
        self.write_file = None        # (path, content) of a `file` marker

    def first_line(self):
        return self.text.split("\n", 1)[0]


class Block:
    def __init__(self, line, lang, lines, directives):
        self.line = line          # line of the opening fence
        self.lang = lang
        self.lines = lines        # [(line number, text without the fence's indentation)]
        self.directives = directives  # [(line number, body)]


def parse_blocks(path, text):
    """Returns the fenced blocks of a Markdown text with the directives just before each."""
    blocks = []
    pending = []  # directives waiting for their block
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if m:
            indent, fence, info = m.group("indent"), m.group("fence"), m.group("info").lower()
            body = []
            j = i + 1
            while j < len(lines):
                close = lines[j].strip()
                if close.startswith(fence[0] * len(fence)) and close.strip(fence[0]) == "":
                    break
                raw = lines[j]
                if raw.startswith(indent):
                    raw = raw[len(indent):]
                body.append((j + 1, raw))
                j += 1
            else:
                raise MarkerError("%s:%d: the fenced block is never closed" % (path, i + 1))
            blocks.append(Block(i + 1, info, body, pending))
            pending = []
            i = j + 1
            continue
        d = DIRECTIVE.match(line)
        if d:
            pending.append((i + 1, d.group("body")))
        elif line.lstrip().startswith("<!--") and "example:" in line:
            raise MarkerError("%s:%d: an example marker must be alone on its line: %s" % (path, i + 1, line.strip()))
        elif line.strip() and pending:
            raise MarkerError("%s:%d: the example marker is not followed by a fenced block" % (path, pending[0][0]))
        i += 1
    if pending:
        raise MarkerError("%s:%d: the example marker is not followed by a fenced block" % (path, pending[0][0]))
    return blocks


def split_commands(path, block):
    """Splits an sh block into commands, joining continuations and here-documents."""
    cmds = []
    lines = block.lines
    i = 0
    while i < len(lines):
        no, text = lines[i]
        if not text.strip() or text.lstrip().startswith("#"):
            i += 1
            continue
        parts = [text]
        start = no
        i += 1
        # Continuation lines and unclosed quotes.
        while True:
            joined = "\n".join(parts)
            words = HEREDOC.findall(joined)
            if words:
                # Everything up to the line that is exactly the last delimiter (bash reads the
                # documents in order; one per command is what the docs use).
                for _, word in words:
                    while i < len(lines) and lines[i][1].strip() != word:
                        parts.append(lines[i][1])
                        i += 1
                    if i >= len(lines):
                        raise MarkerError("%s:%d: here-document %s is never closed" % (path, start, word))
                    parts.append(lines[i][1])
                    i += 1
                break
            if joined.endswith("\\") or not balanced(joined):
                if i >= len(lines):
                    raise MarkerError("%s:%d: the command is not complete at the end of its block" % (path, start))
                parts.append(lines[i][1])
                i += 1
                continue
            break
        full = "\n".join(parts)
        expect = None
        first = parts[0] if len(parts) == 1 else parts[-1]
        m = EXPECT.search(first)
        if m and not HEREDOC.search(full):
            expect = m.group("text")
        cmds.append(Command(start, full, expect_text=expect))
    return cmds


def balanced(text):
    try:
        shlex.split(text, comments=True)
        return True
    except ValueError:
        return False


def console_commands(path, block):
    cmds = []
    current = None
    lines = block.lines
    i = 0
    while i < len(lines):
        no, text = lines[i]
        if text.startswith("$ ") or text == "$":
            parts = [text[2:]]
            i += 1
            while (parts[-1].endswith("\\") or not balanced("\n".join(parts))) and i < len(lines):
                nxt = lines[i][1]
                parts.append(nxt[2:] if nxt.startswith("> ") else nxt)
                i += 1
            current = Command(no, "\n".join(parts), expect_lines=[])
            cmds.append(current)
            continue
        if current is None:
            if text.strip():
                raise MarkerError("%s:%d: output before the first `$ ` command of a console block" % (path, no))
        else:
            current.expect_lines.append(text.rstrip())
        i += 1
    for c in cmds:
        while c.expect_lines and c.expect_lines[-1] == "":
            c.expect_lines.pop()
    return cmds


DIRECTIVE_FORMS = [
    ("skip", re.compile(r'^skip\s+\((?P<reason>.+)\)$')),
    ("skip_prefix", re.compile(r'^skip\s+"(?P<prefix>[^"]+)"\s+\((?P<reason>.+)\)$')),
    ("exit", re.compile(r'^exit\s+(?P<status>\d+)(?:\s+"(?P<prefix>[^"]+)")?(?:\s+\((?P<reason>.+)\))?$')),
    ("file", re.compile(r'^file\s+(?P<path>[^\s"]+)$')),
]


def parse_directive(path, no, body):
    for kind, rx in DIRECTIVE_FORMS:
        m = rx.match(body)
        if m:
            return kind, m.groupdict()
    if body.startswith("skip"):
        raise MarkerError('%s:%d: a skip needs its reason: <!-- example: skip (REASON) --> or '
                          '<!-- example: skip "PREFIX" (REASON) -->' % (path, no))
    raise MarkerError("%s:%d: unknown example marker: %s" % (path, no, body))


def plan(path, text):
    """Returns the list of Commands to run for one Markdown file."""
    out = []
    for block in parse_blocks(path, text):
        directives = [(no,) + parse_directive(path, no, body) for no, body in block.directives]
        files = [d for d in directives if d[1] == "file"]
        if files:
            if len(directives) != 1:
                raise MarkerError("%s:%d: a `file` marker stands alone before its block" % (path, files[0][0]))
            content = "\n".join(t for _, t in block.lines) + "\n"
            c = Command(block.line, "# file %s" % files[0][2]["path"])
            c.write_file = (files[0][2]["path"], content)
            out.append(c)
            continue
        if block.lang in RUN_LANGS:
            cmds = split_commands(path, block)
        elif block.lang in CONSOLE_LANGS:
            cmds = console_commands(path, block)
        else:
            if directives:
                raise MarkerError("%s:%d: example marker before a block that is not run (```%s)" %
                                  (path, directives[0][0], block.lang))
            continue
        for no, kind, args in directives:
            if kind == "skip":
                for c in cmds:
                    c.skip = args["reason"]
                continue
            prefix = args.get("prefix")
            hit = [c for c in cmds if prefix is None or c.text.startswith(prefix)]
            if not hit:
                raise MarkerError('%s:%d: the marker\'s prefix "%s" matches no command of the block at line %d' %
                                  (path, no, prefix, block.line))
            for c in hit:
                if kind == "skip_prefix":
                    c.skip = args["reason"]
                else:
                    c.exit = int(args["status"])
        out.extend(cmds)
    return out


def console_match(expected, actual):
    """Matches expected lines (with `...` wildcards) against actual lines."""
    def rec(e, a):
        if e == len(expected):
            return a == len(actual)
        if expected[e] == "...":
            return any(rec(e + 1, k) for k in range(a, len(actual) + 1))
        return a < len(actual) and expected[e] == actual[a] and rec(e + 1, a + 1)
    return rec(0, 0)


RUNNER = r'''
S="$XJDOC_STATE"
. "$S/env"
cd "$(cat "$S/cwd")" || exit 97
. "$S/cmd.sh"
__xjdoc_rc=$?
export -p | grep -Ev '^declare -x (PWD|OLDPWD|SHLVL|_|XJDOC_STATE)=' >"$S/env"
pwd >"$S/cwd"
exit $__xjdoc_rc
'''


class Scratch:
    """A scratch folder laid out like the repository root, with its own shell state."""

    def __init__(self, root, cli, keep):
        self.base = tempfile.mkdtemp(prefix="xj-docs-")
        self.keep = keep
        self.work = os.path.join(self.base, "work")
        self.state = os.path.join(self.base, "state")
        bindir = os.path.join(self.base, "bin")
        for d in (self.work, self.state, bindir):
            os.makedirs(d)
        os.symlink(os.path.abspath(cli), os.path.join(bindir, "xinjian"))
        for name in ("docs", "tools", "schemas"):
            os.symlink(os.path.join(root, name), os.path.join(self.work, name))
        build = os.path.dirname(os.path.dirname(os.path.abspath(cli)))
        os.symlink(build, os.path.join(self.work, "build"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("XINJIAN_") and not k.startswith("XJ_")}
        env.update({
            "PATH": bindir + os.pathsep + env.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": self.work,
            "LC_ALL": "C.UTF-8",
            "XINJIAN_NOW": DEFAULT_NOW,
        })
        with open(os.path.join(self.state, "env"), "w") as f:
            for k, v in sorted(env.items()):
                if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", k):
                    f.write("export %s=%s\n" % (k, shlex.quote(v)))
        with open(os.path.join(self.state, "cwd"), "w") as f:
            f.write(self.work + "\n")
        self.env = {"PATH": env["PATH"], "XJDOC_STATE": self.state, "LC_ALL": "C.UTF-8"}

    def cwd(self):
        with open(os.path.join(self.state, "cwd")) as f:
            return f.read().strip()

    def write(self, rel, content):
        path = os.path.join(self.cwd(), rel)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(content)

    def run(self, text):
        with open(os.path.join(self.state, "cmd.sh"), "w", encoding="utf-8") as f:
            f.write(text + "\n")
        try:
            p = subprocess.run(["/bin/bash", "--noprofile", "--norc", "-c", RUNNER], env=self.env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=COMMAND_TIMEOUT)
            return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode("utf-8", "replace")
            err = (e.stderr or b"").decode("utf-8", "replace")
            return None, out, err

    def close(self):
        if self.keep:
            print("  scratch folder kept: %s" % self.base)
        else:
            shutil.rmtree(self.base, ignore_errors=True)


def tail(text, n=15):
    lines = text.rstrip("\n").split("\n")
    if len(lines) > n:
        lines = ["[… %d lines]" % (len(lines) - n)] + lines[-n:]
    return "\n".join("    | " + l for l in lines) if text.strip() else "    | (nothing)"


def run_file(path, shown, root, cli, args):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    cmds = plan(shown, text)
    if args.list:
        for c in cmds:
            flag = "skip (%s)" % c.skip if c.skip else ("exit %d" % c.exit if c.exit else "")
            print("%s:%d: %s%s" % (shown, c.line, c.first_line(), "   [%s]" % flag if flag else ""))
        return True
    scratch = Scratch(root, cli, args.keep)
    ran = skipped = 0
    started = time.monotonic()
    try:
        for c in cmds:
            if c.skip:
                skipped += 1
                if args.verbose:
                    print("  skip %s:%d: %s (%s)" % (shown, c.line, c.first_line(), c.skip))
                continue
            if c.write_file:
                scratch.write(*c.write_file)
                continue
            t0 = time.monotonic()
            rc, out, err = scratch.run(c.text)
            ran += 1
            if args.verbose:
                print("  %5.2fs %s:%d: %s" % (time.monotonic() - t0, shown, c.line, c.first_line()))
            problem = None
            if rc is None:
                problem = "timed out after %d s" % COMMAND_TIMEOUT
            elif rc != c.exit:
                problem = "exit status %d, expected %d" % (rc, c.exit)
            elif c.expect_text is not None and c.expect_text not in out + err:
                problem = "the output does not contain %r" % c.expect_text
            elif c.expect_lines is not None and not console_match(c.expect_lines, out.rstrip("\n").split("\n")
                                                                  if out.strip() else []):
                problem = "stdout differs from the lines the document shows:\n%s" % tail("\n".join(c.expect_lines), 40)
            if problem:
                print("FAIL %s:%d: %s" % (shown, c.line, c.text.replace("\n", "\n      ")))
                print("  %s" % problem)
                print("  stdout:\n%s" % tail(out))
                print("  stderr:\n%s" % tail(err))
                return False
    finally:
        scratch.close()
    print("ok   %s: %d commands run, %d not run (marked), %.1f s" % (shown, ran, skipped, time.monotonic() - started))
    return True


def main(argv):
    ap = argparse.ArgumentParser(description="Runs the command examples of Markdown files.")
    ap.add_argument("--cli", help="the xinjian binary under test")
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                    help="the source tree (default: this script's)")
    ap.add_argument("--list", action="store_true", help="print the commands that would run, run nothing")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folders")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every command with its time")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)
    if not args.list and not (args.cli and os.access(args.cli, os.X_OK)):
        ap.error("--cli must name the built xinjian binary")
    root = os.path.abspath(args.root)
    ok = True
    for path in args.files:
        absolute = os.path.abspath(path)
        shown = os.path.relpath(absolute, root) if absolute.startswith(root + os.sep) else path
        try:
            ok = run_file(absolute, shown, root, args.cli, args) and ok
        except MarkerError as e:
            print("FAIL %s" % e)
            return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
