"""`python -m pipeline.ingest ...`: the `ingest` command on its own (the
same flags as `python -m pipeline ingest`)."""
from __future__ import annotations

import argparse
import sys

from .. import logs
from .cli import add_parser


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True)
    add_parser(commands)
    args = parser.parse_args(["ingest", *(sys.argv[1:] if argv is None else argv)])
    logs.configure(args.log_level)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
