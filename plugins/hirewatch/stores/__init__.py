"""hirewatch.stores: where mentions, crawl state, runs, ratings and the alert outbox are kept.

:mod:`.base` is the contract both stores implement, :mod:`.registry` opens the configured one
(:func:`~hirewatch.stores.registry.open_store`): :mod:`.sqlite_store` (the embedded default) or
:mod:`.elasticsearch_store` (the ``elasticsearch`` extra). Called by the pipeline, the alerts, the
digest and the CLI.
"""
