"""hirewatch: employer-brand reputation monitoring.

The stages are packages named for their role (sources, extract, match, enrich, stores, alerts,
digest) over the shared records (:mod:`hirewatch.records`, :mod:`hirewatch.mention`);
:mod:`hirewatch.pipeline` chains them, and the CLI (:mod:`hirewatch.cli`) and the Airflow DAGs
(:mod:`hirewatch.dags`) call the pipeline. docs/architecture.md lists the layers.
"""
