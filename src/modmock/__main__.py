"""``python -m modmock`` is the ``mockserver`` command."""

from modmock.mockserver.cli import main

raise SystemExit(main())
