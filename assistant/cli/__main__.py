"""`python -m assistant.cli ...`: the same as the `rsa-assistant` console script."""

from assistant.cli import main

main()
