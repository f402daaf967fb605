#!/usr/bin/env bash
# One-shot setup of the docker stack (service "setup" in docker/compose.yml), idempotent:
#   1. kibana_system's password (so Kibana can log in to Elasticsearch)
#   2. a "hirewatch" role and user for the Airflow tasks (mentions* indices only)
#   3. `hirewatch es setup`: the index template, the first index and the mentions alias
#   4. `hirewatch kibana import`: the data view, saved searches, visualisations and dashboard
# Secrets come from the environment (docker/.env) and are never echoed.
set -euo pipefail

auth=(-u "elastic:${ELASTIC_PASSWORD}")

es() {  # es METHOD PATH BODY: fails on an HTTP error
  curl -sS --fail-with-body -o /dev/null "${auth[@]}" -H "Content-Type: application/json" \
    -X "$1" "${ES_URL}$2" -d "$3"
}

echo "setup: waiting for Elasticsearch at ${ES_URL}"
until curl -s "${auth[@]}" "${ES_URL}/_cluster/health" | grep -Eq '"status":"(green|yellow)"'; do sleep 3; done

echo "setup: kibana_system password"
es POST /_security/user/kibana_system/_password "{\"password\":\"${KIBANA_PASSWORD}\"}"

echo "setup: role hirewatch_writer and user hirewatch"
es PUT /_security/role/hirewatch_writer '{
  "cluster": ["monitor", "manage_index_templates"],
  "indices": [{"names": ["mentions*"],
               "privileges": ["create_index", "write", "read", "view_index_metadata", "manage"]}]
}'
es PUT /_security/user/hirewatch \
  "{\"password\":\"${HIREWATCH_USER_PASSWORD}\",\"roles\":[\"hirewatch_writer\"],\"full_name\":\"hirewatch Airflow tasks\"}"

echo "setup: index template, index and alias (hirewatch es setup)"
hirewatch es setup

echo "setup: waiting for Kibana at ${KIBANA_URL}"
until curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "${KIBANA_URL}/api/status" | grep -q 200; do sleep 3; done
echo "setup: Kibana objects (hirewatch kibana import)"
hirewatch kibana import --url "${KIBANA_URL}" --dir /opt/airflow/docker/kibana
echo "setup: done"
