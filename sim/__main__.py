"""`python -m sim` is the same as the `ringsim` command."""

from sim.cli import main

main()
