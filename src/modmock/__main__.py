"""``python -m modmock`` is the ``mockserver`` command."""

from modmock.cli import main

raise SystemExit(main())
