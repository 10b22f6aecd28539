# PostgreSQL 15 from Debian's packages, on the Debian base made here. It follows the official
# image's interface where IMAS uses it: POSTGRES_USER, POSTGRES_PASSWORD, data in
# /var/lib/postgresql/data, extra arguments passed to the server (`-c fsync=off`, `-c port=`).
#
#   docker build -f deploy/docker/postgres.Dockerfile -t imas-postgres:15 deploy/docker
ARG BASE_IMAGE=imas-debian:bookworm
FROM ${BASE_IMAGE}
# Debian's package would create and start a cluster of its own; the entrypoint makes one instead.
# JIT compilation (LLVM and Z3, 130 MB) is left out: IMAS runs short statements that JIT never
# speeds up, and PostgreSQL without its JIT provider runs with `jit = off`.
RUN mkdir -p /etc/postgresql-common/createcluster.d \
    && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/imas.conf \
    && apt-get update \
    && apt-get install -y postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && rm -rf /usr/lib/postgresql/15/lib/llvmjit* /usr/lib/postgresql/15/lib/bitcode \
    && dpkg --purge --force-depends libllvm14 libz3-4 \
    && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data \
    && install -d -o postgres -g postgres -m 2775 /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/imas-postgres
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
USER postgres
VOLUME /var/lib/postgresql/data
EXPOSE 5432
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=10 \
    CMD pg_isready --host /var/run/postgresql --port "${PGPORT:-5432}" --quiet
# SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
STOPSIGNAL SIGINT
ENTRYPOINT ["imas-postgres"]
