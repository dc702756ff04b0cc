#!/usr/bin/env python3
"""A stand-in browser for tests: appends the arguments it was started with, as one JSON
array, to the file named by RECORD_ARGV_LOG (else $HOME/argv.jsonl), and exits with
RECORD_ARGV_EXIT (else 0). It opens nothing: tests read what a launcher would have run."""
import json
import os
import sys

log = os.environ.get("RECORD_ARGV_LOG") or os.path.join(os.environ["HOME"], "argv.jsonl")
with open(log, "a", encoding="utf-8") as f:
    f.write(json.dumps(sys.argv[1:]) + "\n")
sys.exit(int(os.environ.get("RECORD_ARGV_EXIT", "0")))
