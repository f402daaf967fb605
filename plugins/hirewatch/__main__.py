"""``python -m hirewatch``: the same as the ``hirewatch`` command."""

from hirewatch.cli import main

main()
