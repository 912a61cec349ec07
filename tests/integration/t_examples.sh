# examples/ and the container files: the Prometheus config and the
# operations rules (promtool), the compose file (docker-compose config, which
# needs no Docker engine), alertmanager.yml (the router, and amtool 0.25 as
# far as 0.25 goes), and what can be checked of the Dockerfile without
# building it (no engine here): the runtime packages provide every library
# the binary links, the healthcheck's tool is installed, the arguments the
# image passes work.
. "$LIB"
EX="$REPO/examples"
for tool in promtool amtool docker-compose dpkg; do
    command -v "$tool" >/dev/null || fail "$tool not installed (make deps)"
done

# ---- Prometheus: config, rules, rule unit tests ------------------------------
promtool check config "$EX/prometheus.yml" >"$T/pc.out" 2>&1 || { cat "$T/pc.out"; fail "promtool check config"; }
assert_contains "$T/pc.out" "SUCCESS: 1 rule files found" "prometheus.yml is valid and finds the rules"
grep -A3 '^alerting:' "$EX/prometheus.yml" >/dev/null || fail "no alerting block"
assert_contains "$EX/prometheus.yml" "- targets: ['alertrouter:9093']" "alerts go to the alertrouter service"
assert_contains "$EX/prometheus.yml" "api_version: v2" "API v2"
promtool check rules "$EX/rules/operations.yml" >"$T/pr.out" 2>&1 || { cat "$T/pr.out"; fail "promtool check rules"; }
assert_contains "$T/pr.out" "SUCCESS: 8 rules found" "operations.yml: 8 valid rules"
promtool test rules "$EX/operations_test.yml" >"$T/pt.out" 2>&1 || { cat "$T/pt.out"; fail "promtool test rules"; }
assert_contains "$T/pt.out" "SUCCESS" "the rules fire as their tests say"

# Every rule: a severity the routing knows, and the three annotations.
python3 - "$EX/rules/operations.yml" >"$T/lint.out" 2>&1 <<'EOF' || { cat "$T/lint.out"; fail "rule lint"; }
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
n = 0
for g in doc["groups"]:
    for r in g["rules"]:
        n += 1
        name = r["alert"]
        sev = r.get("labels", {}).get("severity")
        assert sev in ("warning", "high", "critical"), f"{name}: severity {sev!r}"
        for a in ("summary", "description", "runbook_url"):
            assert r.get("annotations", {}).get(a), f"{name}: no {a}"
        assert r["annotations"]["runbook_url"].startswith("https://"), name
        assert "for" in r, f"{name}: no for:"
print(f"{n} rules linted")
EOF
assert_contains "$T/lint.out" "8 rules linted" "every rule has a routed severity, for:, summary, description, runbook_url"

# ---- alertmanager.yml: the router accepts it; amtool 0.25 only without msteamsv2
"$ROUTER" --check-config --config.file "$EX/alertmanager.yml" >"$T/ar.out" 2>&1 || { cat "$T/ar.out"; fail "router rejects examples/alertmanager.yml"; }
assert_contains "$T/ar.out" " - 4 receivers" "router: alertmanager.yml is valid, 4 receivers"
# 0.25 predates msteamsv2_configs (0.28): it refuses the file for exactly that
# field and nothing else, and accepts it with the Teams integration removed.
if amtool check-config "$EX/alertmanager.yml" >"$T/am.out" 2>&1; then
    fail "amtool $(amtool --version 2>&1 | head -1) accepts msteamsv2_configs: update this test"
fi
assert_contains "$T/am.out" "field msteamsv2_configs not found" "amtool 0.25 refuses only msteamsv2_configs"
assert_eq 1 "$(grep -c 'not found in type' "$T/am.out")" "amtool reports a single unknown field"
sed '/^    msteamsv2_configs:/,$d' "$EX/alertmanager.yml" >"$T/am025.yml"
amtool check-config "$T/am025.yml" >"$T/am025.out" 2>&1 || { cat "$T/am025.out"; fail "amtool rejects alertmanager.yml without msteamsv2"; }
ok "amtool 0.25 accepts alertmanager.yml less msteamsv2_configs"
# The severities the rules use reach the receivers config.tmpl promises.
route() { amtool config routes test --config.file="$T/am025.yml" "severity=$1" 2>/dev/null; }
assert_eq "email-oncall,teams-oncall" "$(route warning)" "warning -> email and Teams"
assert_eq "slack-data-ops,email-oncall,teams-oncall" "$(route high)" "high -> Slack, email and Teams"
assert_eq "slack-data-ops,email-oncall,teams-oncall" "$(route critical)" "critical -> Slack, email and Teams"
assert_eq "default" "$(route info)" "other severities -> default"

# ---- .env.example and config.tmpl agree ---------------------------------------
tmpl_vars=$(grep -v '^ *#' "$REPO/config.tmpl" | grep -oE '\$\{ROUTER_[A-Z_]+' | sed 's/^\${//' | sort -u)
env_vars=$(grep -oE '^ROUTER_[A-Z_]+' "$EX/.env.example" | grep -vxE 'ROUTER_(STRICT|RENDER_ONLY)' | sort -u)
assert_eq "$tmpl_vars" "$env_vars" ".env.example sets exactly the variables config.tmpl reads"
# What `docker compose run` does with the .env: render-only, strict, through
# entrypoint.sh -- valid, no placeholder left.
envs=()
while IFS= read -r line; do
    case $line in ''|'#'*) continue ;; esac
    envs+=("$line")
done <"$EX/.env.example"
(cd "$REPO" && timeout 20 env -i PATH="$PATH" ROUTER_BIN="$ROUTER" "${envs[@]}" ROUTER_RENDER_ONLY=1 \
    ROUTER_STRICT=1 sh ./entrypoint.sh --config.template=config.tmpl >"$T/render.out" 2>"$T/render.err")
assert_eq 0 "$?" ".env.example renders under ROUTER_STRICT=1"
assert_contains "$T/render.out" "channel: '#data-ops'" "the rendered config is on stdout"
assert_not_contains "$T/render.err" "warning" "no placeholder in use"
# --version passes through entrypoint.sh (docker compose run --rm alertrouter --version).
(cd "$REPO" && timeout 20 env -i PATH="$PATH" ROUTER_BIN="$ROUTER" sh ./entrypoint.sh --version >"$T/ver.out" 2>&1)
assert_eq 0 "$?" "entrypoint.sh --version exits 0"
assert_contains "$T/ver.out" "alertrouter, version" "--version reaches the router"

# ---- docker-compose.yml: resolved by docker-compose 1.29, no engine -----------
# A copy of the tree's relevant files, so the .env it needs is never written
# into the repository.  DOCKER_HOST points nowhere: `config` must not need a daemon.
C="$T/tree"
mkdir -p "$C"
cp -r "$REPO/examples" "$REPO/Dockerfile" "$REPO/.dockerignore" "$C/"
rm -f "$C/examples/.env"
export DOCKER_HOST=unix://$T/no-docker.sock
(cd "$C" && docker-compose -f examples/docker-compose.yml config >"$T/dc-noenv.out" 2>&1)
assert_eq 1 "$?" "without examples/.env, compose refuses"
assert_contains "$T/dc-noenv.out" "Couldn't find env file" "and says which file is missing"
cp "$C/examples/.env.example" "$C/examples/.env"
# The resolved file holds the .env's secrets: it stays in $T, never printed.
(cd "$C" && env -u ROUTER_RENDER_ONLY -u ROUTER_STRICT \
    docker-compose -f examples/docker-compose.yml config >"$T/dc.yml" 2>"$T/dc.err")
assert_eq 0 "$?" "docker-compose config accepts examples/docker-compose.yml"
(cd "$C" && env -u ROUTER_STRICT ROUTER_RENDER_ONLY=1 \
    docker-compose -f examples/docker-compose.yml config >"$T/dc-ro.yml" 2>"$T/dc-ro.err")
python3 - "$T/dc.yml" "$T/dc-ro.yml" "$C" >"$T/dc-check.out" 2>&1 <<'EOF' || { cat "$T/dc-check.out"; fail "compose content"; }
import sys, yaml
dc = yaml.safe_load(open(sys.argv[1]))
ro = yaml.safe_load(open(sys.argv[2]))
root = sys.argv[3]
ar, pr = dc["services"]["alertrouter"], dc["services"]["prometheus"]
assert ar["build"]["context"] == root, ar["build"]
assert ar["build"].get("dockerfile", "Dockerfile") == "Dockerfile"
assert {"published": 9093, "target": 9093} in ar["ports"], ar["ports"]
assert any(v.startswith("alertrouter-data:/data") for v in ar["volumes"]), ar["volumes"]
hc = ar["healthcheck"]["test"]
assert hc[0] == "CMD" and hc[1] == "curl" and hc[-1] == "http://127.0.0.1:9093/-/ready", hc
assert ar["restart"] == "unless-stopped"
env = ar["environment"]
# env_file: the .env's values arrive; the two switches come from the .env too.
assert env["ROUTER_EMAIL_TO"] == "oncall@example.com", "env_file not applied"
assert env["ROUTER_RENDER_ONLY"] == "0" and env["ROUTER_STRICT"] == "0", env
# ... and the shell wins: ROUTER_RENDER_ONLY=1 docker compose run ...
assert ro["services"]["alertrouter"]["environment"]["ROUTER_RENDER_ONLY"] == "1"
assert pr["image"].startswith("prom/prometheus")
assert pr["depends_on"] == {"alertrouter": {"condition": "service_healthy"}}, pr["depends_on"]
vols = pr["volumes"]
assert f"{root}/examples/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in vols, vols
assert f"{root}/examples/rules:/etc/prometheus/rules:ro" in vols, vols
assert "--config.file=/etc/prometheus/prometheus.yml" in pr["command"]
print("compose ok")
EOF
ok "compose: build context, port, volume, healthcheck, env_file, depends_on healthy, mounts"
# Without the switches in the shell or .env they stay unset (entrypoint.sh
# may then map ALERTMANAGER_STRICT from an old .env).
grep -vE '^ROUTER_(STRICT|RENDER_ONLY)=' "$C/examples/.env.example" >"$C/examples/.env"
echo 'ALERTMANAGER_STRICT=1' >>"$C/examples/.env"
(cd "$C" && env -u ROUTER_RENDER_ONLY -u ROUTER_STRICT \
    docker-compose -f examples/docker-compose.yml config >"$T/dc-old.yml" 2>&1)
python3 -c '
import sys, yaml
e = yaml.safe_load(open(sys.argv[1]))["services"]["alertrouter"]["environment"]
assert e.get("ROUTER_STRICT") is None and e["ALERTMANAGER_STRICT"] == "1", e
' "$T/dc-old.yml" || fail "ROUTER_STRICT should stay unset when neither shell nor .env sets it"
ok "an old .env's ALERTMANAGER_STRICT reaches entrypoint.sh"
unset DOCKER_HOST

# ---- Dockerfile: what can be checked without an engine ------------------------
DF="$REPO/Dockerfile"
[ "$(grep -c '^FROM ' "$DF")" = 2 ] || fail "Dockerfile should have two stages"
assert_contains "$DF" "FROM debian:12 AS build" "build stage on Debian 12"
assert_contains "$DF" "FROM debian:12-slim" "runtime stage on debian:12-slim"
# The build stage installs the build part of the Makefile's DEPS.
build_pkgs=$(sed -n '/^FROM debian:12 AS build/,/^FROM /p' "$DF" | tr ' \\' '\n\n' | grep -E -- '-dev$|^gcc$|^make$|^pkg-config$' | sort -u)
for p in $build_pkgs; do
    [ "$p" = libc6-dev ] && continue
    make -s -C "$REPO" print-deps | tr ' ' '\n' | grep -qx -- "$p" || fail "build stage installs $p, not in the Makefile's DEPS"
done
for p in gcc make pkg-config libev-dev libcurl4-openssl-dev libjansson-dev libyaml-dev libmicrohttpd-dev libpcre2-dev; do
    grep -qx -- "$p" <<<"$build_pkgs" || fail "build stage lacks $p"
done
ok "build stage: the Makefile's build dependencies"
# Runtime: the package providing each library the binary links (looked up on
# this Debian 12 machine) is installed, and nothing of the build stage.
runtime=$(sed -n '/^FROM debian:12-slim/,$p' "$DF")
libs=$(readelf -d "$ROUTER" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' |
    grep -vE '^(libc|libm|libasan|libubsan|libgcc_s|libstdc\+\+)\.so')
[ -n "$libs" ] || fail "no shared libraries found in $ROUTER"
for so in $libs; do
    path=$(ldconfig -p | awk -v so="$so" '$1 == so && /x86-64|x86_64|64bit/ {print $NF; exit}')
    [ -n "$path" ] || path=$(ldconfig -p | awk -v so="$so" '$1 == so {print $NF; exit}')
    pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1)
    [ -n "$pkg" ] || fail "no package provides $so"
    grep -qw -- "$pkg" <<<"$runtime" || fail "runtime stage lacks $pkg (for $so)"
done
ok "runtime stage installs the package of every linked library: $(echo $libs)"
grep -qE -- '-dev( |$)' <<<"$runtime" && fail "runtime stage installs a -dev package"
grep -qw curl <<<"$(grep -A4 'apt-get install' <<<"$runtime")" || fail "curl (healthcheck) not installed"
assert_contains "$DF" "CMD curl -fsS -o /dev/null http://127.0.0.1:9093/-/ready" "healthcheck on /-/ready with curl"
assert_contains "$DF" 'ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]' "entrypoint.sh is the entrypoint"
assert_contains "$DF" "COPY config.tmpl /etc/alertrouter/config.tmpl" "config.tmpl in the image"
assert_contains "$DF" "USER alertrouter" "runs unprivileged"
assert_contains "$DF" 'VOLUME ["/data"]' "/data volume"
assert_contains "$DF" "EXPOSE 9093" "port 9093"
# .dockerignore must not exclude what the Dockerfile copies.
for f in Makefile router entrypoint.sh config.tmpl; do
    grep -qxF "$f" "$REPO/.dockerignore" && fail ".dockerignore excludes $f"
done
ok ".dockerignore keeps Makefile, router/, entrypoint.sh, config.tmpl"
# The image's default arguments, as CMD passes them, through entrypoint.sh;
# the healthcheck's request answers 200.
cmd_args=$(python3 -c '
import json, re, sys
t = open(sys.argv[1]).read()
m = re.search(r"^CMD (\[.*?\])\s*$", t.replace("\\\n", ""), re.M | re.S)
print("\n".join(json.loads(m.group(1))))' "$DF")
assert_contains <(echo "$cmd_args") "--storage.path=/data" "CMD sets --storage.path=/data"
PORT=$(free_port)
args=()
while IFS= read -r a; do
    case $a in
    --config.template=*) a="--config.template=$REPO/config.tmpl" ;;
    --storage.path=*) a="--storage.path=$T/data" ;;
    --web.listen-address=*) a="--web.listen-address=127.0.0.1:$PORT" ;;
    esac
    args+=("$a")
done <<<"$cmd_args"
(cd "$REPO" && exec env -i PATH="$PATH" ROUTER_BIN="$ROUTER" "${envs[@]}" sh ./entrypoint.sh "${args[@]}" \
    >"$T/img.log" 2>&1) &
PIDS+=("$!")
wait_http "http://127.0.0.1:$PORT/-/ready" 10 || { cat "$T/img.log"; fail "not ready with the image's arguments"; }
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/-/ready" || fail "healthcheck request"
ok "the image's arguments start the router and /-/ready answers"
exit 0
