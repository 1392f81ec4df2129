"""`python -m auditor_tui`."""

import sys

from auditor_tui.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
