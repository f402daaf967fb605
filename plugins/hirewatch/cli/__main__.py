"""``python -m hirewatch.cli``: the same as the ``hirewatch`` command."""

from hirewatch.cli import main

main()
