"""hirewatch.sources: one module per source kind, looked up by the YAML ``type:`` in
:mod:`.registry`; :mod:`.base` is the contract (async ``fetch``, pure ``parse``) and
:mod:`.http_fetcher` the one polite HTTP client. Called by the pipeline.
"""
