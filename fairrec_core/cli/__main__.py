"""``python -m fairrec_core.cli``: the ``fairrec`` command."""

import sys

from fairrec_core.cli.main import main

sys.exit(main())
