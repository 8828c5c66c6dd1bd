"""``python -m caseapp``: the console script, for a process that starts another (serve)."""

from caseapp.cli import main

main()
