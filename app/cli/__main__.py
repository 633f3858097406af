"""``python -m app.cli``: the same entry point as the ``actlab`` script."""

from app.cli.main import main

raise SystemExit(main())
