"""`python -m checks …` (on untrusted packages: the installed `wuqing-checks`, or `python -P -m checks`)."""

import sys

from checks.cli import main

if __name__ == "__main__":
    sys.exit(main())
