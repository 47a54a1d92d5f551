#!/usr/bin/env python3
"""Build the Madoguchi static site: `python build.py [--content DIR] [--out DIR] [--office SLUG ...]`."""
import os
import sys

from portal.publish.cli import main

if __name__ == "__main__":
    code = main()
    # The process ends here without freeing the build's objects one by one (a national build's
    # interpreter teardown took ~0.05 s): everything is written, and the output is flushed.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
