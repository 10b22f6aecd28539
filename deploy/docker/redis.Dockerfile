# Redis 7 from Debian's packages, on the Debian base made here. Arguments are redis-server's:
# `--port 6380`, `--requirepass ...`, `--appendonly yes`.
#
#   docker build -f deploy/docker/redis.Dockerfile -t imas-redis:7 deploy/docker
ARG BASE_IMAGE=imas-debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
    && apt-get install -y redis-server \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o redis -g redis -m 0750 /data
USER redis
WORKDIR /data
VOLUME /data
EXPOSE 6379
# The check asks port REDIS_PORT (6379 unless set), with the password in REDISCLI_AUTH if any.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=10 \
    CMD redis-cli -p "${REDIS_PORT:-6379}" --no-auth-warning ping | grep -q PONG
# Protected mode refuses every client but loopback while no password is set; a container's
# clients come over the network, and access is controlled by --requirepass and the network.
ENTRYPOINT ["redis-server", "--dir", "/data", "--protected-mode", "no"]
