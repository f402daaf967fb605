"""Airflow DAG factories: what the thin files in the repo's ``dags/`` folder call.

``dags/hirewatch_monitors.py`` builds one DAG per monitor file (:mod:`.monitor_dag`),
``dags/hirewatch_digest.py`` one digest DAG per monitor (:mod:`.digest_dag`). Only configuration is
read while a DAG file is parsed (:mod:`.monitor_configs`); the pipeline, the stores and the Slack
client are imported inside the tasks, so parsing stays fast. Needs the ``airflow`` extra.
"""
