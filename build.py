#!/usr/bin/env python3
"""Build the Madoguchi static site: `python build.py [--content DIR] [--out DIR] [--office SLUG ...]`."""
import sys

from portal.publish.cli import main

if __name__ == "__main__":
    sys.exit(main())
