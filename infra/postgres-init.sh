#!/usr/bin/env bash
# Runs once in the official postgres image (/docker-entrypoint-initdb.d) as its superuser.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -v pw="$EHR_DB_PASSWORD" -f /ehr/bootstrap.sql
