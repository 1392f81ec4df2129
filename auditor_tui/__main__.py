"""`python -m auditor_tui`."""

import sys

from auditor_tui.cli import main

sys.exit(main())
