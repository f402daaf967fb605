"""The shared identity library, not a stage of the chain: what makes two copies of one story the
same, used wherever identity is decided.

- :mod:`.canonical_url`: one spelling per page URL. extract hashes it into the mention id (the
  store's upsert then merges the copies); the alert-feed sources unwrap redirect links with it.
- :mod:`.fingerprint`: a simhash of the text. extract stores it on each mention; alerts
  (:mod:`hirewatch.alerts.storm`) find a syndicated copy's earlier alert by it.

The pipeline's own merge of one batch (:func:`hirewatch.pipeline.merge_duplicates`) and the store's
upsert work on the ids these give. It sits low in the layers (above config, below extract) so
every stage can use it.
"""
