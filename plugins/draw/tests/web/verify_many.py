#!/usr/bin/env python3
"""tools/verify_draw.py on many proof folders in one process, for the agreement test
(verifiers_agree.mjs): starting Python once per folder would take most of the test's time.

usage: verify_many.py PATH/TO/verify_draw.py < folders, one per line

Prints one JSON line per folder: {"dir": ..., "lines": [what verify_draw.py prints], "status": its exit
status}, from the script's own run() (which its main() prints).
"""
import importlib.util
import json
import sys

spec = importlib.util.spec_from_file_location("verify_draw", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
for folder in sys.stdin.buffer.read().decode("utf-8").split("\n"):
    if folder:
        lines, status = module.run(folder)
        print(json.dumps({"dir": folder, "lines": lines, "status": status}))
