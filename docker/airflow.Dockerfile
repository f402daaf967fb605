# The hirewatch Airflow image: the official Airflow 3.3 image plus hirewatch (with the
# Elasticsearch extra). Built by docker/compose.yml; context is the repo root.
FROM apache/airflow:3.3.2

# Only what the package needs to install: the DAGs, plugins and monitors are mounted by compose,
# so editing them needs no rebuild (PYTHONPATH puts the mounted plugins/ first).
COPY --chown=airflow:0 pyproject.toml README.md /opt/hirewatch/
COPY --chown=airflow:0 plugins/hirewatch /opt/hirewatch/plugins/hirewatch
# The wheel carries the index template and the Kibana objects (pyproject force-include).
COPY --chown=airflow:0 docker/elasticsearch /opt/hirewatch/docker/elasticsearch
COPY --chown=airflow:0 docker/kibana /opt/hirewatch/docker/kibana
RUN pip install --no-cache-dir "apache-airflow==3.3.2" "/opt/hirewatch[elasticsearch]"
