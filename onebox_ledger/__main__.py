"""`python -m onebox_ledger` runs the command line."""

from onebox_ledger.cli import main

main()
