"""Airflow DAGs: one daily digest per monitor (``hirewatch_digest_<monitor>``), at the digest hour
in the recipients' time zone. The logic lives in hirewatch.dags.digest_dag; this file only
registers the DAGs."""

from hirewatch.dags.digest_dag import digest_dags

globals().update(digest_dags())
