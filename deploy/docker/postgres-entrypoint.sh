#!/bin/sh
# Initialise the data directory on first start (POSTGRES_USER, POSTGRES_PASSWORD), then run
# PostgreSQL as process 1 with the arguments given (`-c name=value` ...).
set -eu

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD: the server accepts network logins by password only}"
    password_file=$(mktemp)
    printf '%s' "$POSTGRES_PASSWORD" > "$password_file"
    initdb --pgdata="$PGDATA" --username="${POSTGRES_USER:-postgres}" --pwfile="$password_file" \
        --encoding=UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256
    rm -f "$password_file"
    # initdb allows loopback only; a container is reached over the network, by password.
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi

exec postgres -c listen_addresses='*' -c jit=off "$@"
