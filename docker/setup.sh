#!/usr/bin/env bash
# One-shot setup of the docker stack (service "setup" in docker/compose.yml), idempotent:
#   1. kibana_system's password (so Kibana can log in to Elasticsearch)
#   2. a "hirewatch" role and user for the Airflow tasks (write/read mentions* only)
#   3. the mentions index template: `hirewatch es setup` when the CLI has it, else the template file
#   4. the Kibana saved objects: `hirewatch kibana import` when the CLI has it, else the .ndjson files
# Secrets come from the environment (docker/.env) and are never echoed.
set -euo pipefail

here=/opt/hirewatch-setup
auth=(-u "elastic:${ELASTIC_PASSWORD}")
json=(-H "Content-Type: application/json")

es() {  # es METHOD PATH [BODY]: fails on an HTTP error, prints the answer
  local method=$1 path=$2
  shift 2
  curl -sS --fail-with-body "${auth[@]}" "${json[@]}" -X "$method" "${ES_URL}${path}" "$@"
  echo
}

echo "setup: waiting for Elasticsearch at ${ES_URL}"
until curl -s "${auth[@]}" "${ES_URL}/_cluster/health" | grep -Eq '"status":"(green|yellow)"'; do sleep 3; done

echo "setup: kibana_system password"
es POST /_security/user/kibana_system/_password -d "{\"password\":\"${KIBANA_PASSWORD}\"}" >/dev/null

echo "setup: role and user hirewatch"
es PUT /_security/role/hirewatch_writer -d '{
  "cluster": ["monitor"],
  "indices": [{"names": ["mentions*", "hirewatch*"],
               "privileges": ["create_index", "write", "read", "view_index_metadata", "manage"]}]
}' >/dev/null
es PUT /_security/user/hirewatch -d "{\"password\":\"${HIREWATCH_USER_PASSWORD}\",\"roles\":[\"hirewatch_writer\"],\"full_name\":\"hirewatch Airflow tasks\"}" >/dev/null

if hirewatch es --help >/dev/null 2>&1; then
  echo "setup: index template (hirewatch es setup)"
  hirewatch es setup
elif [ -f "$here/elasticsearch/mentions-template.json" ]; then
  echo "setup: index template (docker/elasticsearch/mentions-template.json)"
  es PUT /_index_template/mentions --data-binary "@$here/elasticsearch/mentions-template.json" >/dev/null
else
  echo "setup: no index template yet (neither 'hirewatch es setup' nor docker/elasticsearch/mentions-template.json)"
fi

echo "setup: waiting for Kibana at ${KIBANA_URL}"
for _ in $(seq 1 100); do
  if curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "${KIBANA_URL}/api/status" | grep -q 200; then break; fi
  sleep 3
done
if hirewatch kibana --help >/dev/null 2>&1; then
  echo "setup: Kibana objects (hirewatch kibana import)"
  hirewatch kibana import
else
  shopt -s nullglob
  files=("$here"/kibana/*.ndjson)
  for file in "${files[@]}"; do
    echo "setup: Kibana objects from docker/kibana/$(basename "$file")"
    curl -sS --fail-with-body "${auth[@]}" -H "kbn-xsrf: true" -X POST \
      "${KIBANA_URL}/api/saved_objects/_import?overwrite=true" --form "file=@${file}" >/dev/null
  done
  [ ${#files[@]} -gt 0 ] || echo "setup: no Kibana objects yet (docker/kibana/*.ndjson)"
fi
echo "setup: done"
