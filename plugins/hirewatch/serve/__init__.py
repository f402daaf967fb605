"""``hirewatch serve``: the embedded store in a browser, on Datasette, read-only.

:mod:`~hirewatch.serve.app` builds and runs the Datasette instance over the store file,
:mod:`~hirewatch.serve.access` decides who may reach it, :mod:`~hirewatch.serve.plugin` holds the
Datasette hooks, :mod:`~hirewatch.serve.overview` the front page's charts; ``metadata.yaml`` and
``templates/`` are the shipped configuration. Datasette comes with the ``serve`` extra and is
imported only when the command runs.
"""
