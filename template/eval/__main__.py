"""``python -m eval``: the command line of the harness."""

from eval.cli import main

raise SystemExit(main())
