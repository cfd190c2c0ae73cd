"""`python -m app` is the `evidence` command."""

from app.cli import main

main()
