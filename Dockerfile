# eventbrokerd: multi-stage build on Debian 12. The build stage installs the same packages
# as scripts/setup (keep the two lists in step); the runtime stage only the shared libraries
# the daemon still loads (the rest are linked from their static archives, cmake/StaticDeps.cmake;
# `ldd eventbrokerd` lists them) and curl for the health check.
FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build g++ pkg-config \
      libboost-dev libboost-system-dev libcli11-dev librocksdb-dev libsimdjson-dev libspdlog-dev \
      libyaml-cpp-dev libprotobuf-dev protobuf-compiler libssl-dev libjemalloc-dev \
      libgtest-dev libgmock-dev libbenchmark-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DEB_BUILD_TESTS=OFF -DEB_BUILD_BENCH=OFF \
 && ninja -C build/release eventbrokerd \
 && strip build/release/eventbrokerd

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libsimdjson14 libspdlog1.10 libfmt9 \
      curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin eventbrokerd \
 && mkdir -p /data /etc/eventbrokerd \
 && chown eventbrokerd:eventbrokerd /data
COPY --from=build /src/build/release/eventbrokerd /usr/local/bin/eventbrokerd
COPY config/eventbrokerd.yaml /etc/eventbrokerd/eventbrokerd.yaml
USER eventbrokerd
EXPOSE 4566
VOLUME /data
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS http://127.0.0.1:4566/health || exit 1
ENTRYPOINT ["/usr/local/bin/eventbrokerd"]
CMD ["--config", "/etc/eventbrokerd/eventbrokerd.yaml", "--listen", "0.0.0.0:4566", "--data-dir", "/data"]
