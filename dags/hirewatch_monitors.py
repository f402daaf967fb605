"""Airflow DAGs: one per monitor file in $HIREWATCH_MONITORS (default: the repo's monitors/),
named ``hirewatch_<monitor>``. A monitor file that does not load gets a failing stand-in DAG whose
doc shows the error; the other monitors' DAGs are unaffected. The logic lives in
hirewatch.dags.monitor_dag; this file only registers the DAGs."""

from hirewatch.dags.monitor_dag import monitor_dags

globals().update(monitor_dags())
