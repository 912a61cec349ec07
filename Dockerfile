# Dockerfile -- alertrouter in two stages.
#
# build:   Debian 12 with the compiler and the -dev packages (the build part
#          of the Makefile's DEPS), `make` builds build/alertrouter.
# runtime: debian:12-slim with only the shared libraries the binary uses
#          (libev, libcurl, jansson, libyaml, libmicrohttpd, PCRE2; libcurl4
#          is dlopen()ed at start beside the loop, router/curl_dl.c, so ldd and
#          dpkg-shlibdeps do not see it: it must stay in the list), CA
#          certificates for HTTPS/SMTPS peers and curl for the healthcheck;
#          runs as an unprivileged user, state under the /data volume.
#
#   docker build -t alertrouter .            (from the repository root)
#   docker build --build-arg REVISION=$(git rev-parse --short=12 HEAD) -t alertrouter .
#
# The container starts entrypoint.sh, which maps the older ALERTMANAGER_*
# variables onto ROUTER_* and execs the router with the container's
# arguments: `docker run alertrouter --version` prints the version, and the
# default arguments render /etc/alertrouter/config.tmpl from the
# environment (see examples/.env.example).

FROM debian:12 AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        gcc libc6-dev make pkg-config \
        libev-dev libcurl4-openssl-dev libjansson-dev libyaml-dev libmicrohttpd-dev libpcre2-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what the binary is built from (.dockerignore keeps the rest out), so
# editing tests or docs does not invalidate this layer.
COPY Makefile ./
COPY router/ router/
COPY templates/ templates/
# .git is not in the build context: the revision comes in as an argument.
ARG REVISION=unknown
RUN make -j"$(nproc)" GIT_REV="$REVISION" build/alertrouter \
    && build/alertrouter --version

FROM debian:12-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libev4 libcurl4 libjansson4 libyaml-0-2 libmicrohttpd12 libpcre2-8-0 \
        ca-certificates curl tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin alertrouter \
    && mkdir -p /data /etc/alertrouter \
    && chown alertrouter:alertrouter /data
COPY --from=build /src/build/alertrouter /usr/local/bin/alertrouter
COPY entrypoint.sh /usr/local/bin/entrypoint.sh
COPY config.tmpl /etc/alertrouter/config.tmpl
# A named volume mounted here starts with this directory's owner, so the
# unprivileged user can write its snapshots there.
VOLUME ["/data"]
WORKDIR /etc/alertrouter
USER alertrouter
EXPOSE 9093
# curl is in the image for this; /-/ready answers 200 once the config is
# loaded and the API serves.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:9093/-/ready || exit 1
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
CMD ["--config.template=/etc/alertrouter/config.tmpl", "--storage.path=/data", \
     "--web.listen-address=:9093"]
