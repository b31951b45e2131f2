"""`python -m neurosys`: the same entry point as the `neurosys` command."""

from neurosys.cli import main

raise SystemExit(main())
