# Sourced by .ci/run: a throwaway PostgreSQL cluster and Redis server on loopback for the tests
# (docs/SCALE_OUT.md). Installs them from the distribution's packages when missing and we are
# root; exports the URLs the tests read and NEWSROOM_REQUIRE_SERVERS=1, so a test that needs a
# server fails instead of skipping. ci_servers_stop (an EXIT trap) stops both and removes them.

_ci_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_ci_pg_bin() {
    # The newest installed major version's server programs.
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Run a command as the cluster's owner: PostgreSQL refuses to run as root.
_ci_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ci_servers_install() {
    if [ -n "$(_ci_pg_bin)" ] && command -v redis-server >/dev/null; then
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "ci: PostgreSQL and redis-server are needed (apt-get install postgresql redis-server)" >&2
        return 1
    fi
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql redis-server
}

ci_servers_start() {
    CI_SERVERS_DIR="$(mktemp -d /tmp/newsroom-ci.XXXXXX)"
    local bin pg_port redis_port
    bin="$(_ci_pg_bin)"
    pg_port="$(_ci_free_port)"
    redis_port="$(_ci_free_port)"
    mkdir -p "$CI_SERVERS_DIR/pg" "$CI_SERVERS_DIR/sock"
    if [ "$(id -u)" = 0 ]; then
        chmod 755 "$CI_SERVERS_DIR"  # mktemp's 0700 would keep the postgres user out
        chown postgres "$CI_SERVERS_DIR/pg" "$CI_SERVERS_DIR/sock"
    fi
    _ci_as_owner "$bin/initdb" -D "$CI_SERVERS_DIR/pg/data" -U postgres -A trust -E UTF8 \
        --locale=C.UTF-8 >"$CI_SERVERS_DIR/initdb.log"
    # fsync off: a throwaway cluster; the tests create and drop a database each.
    _ci_as_owner "$bin/pg_ctl" -D "$CI_SERVERS_DIR/pg/data" -l "$CI_SERVERS_DIR/pg/log" -w \
        -o "-p $pg_port -k $CI_SERVERS_DIR/sock -c listen_addresses=127.0.0.1 -c fsync=off" start
    redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
        --daemonize yes --dir "$CI_SERVERS_DIR" --pidfile "$CI_SERVERS_DIR/redis.pid" \
        --logfile "$CI_SERVERS_DIR/redis.log"
    export NEWSROOM_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$pg_port/postgres"
    export NEWSROOM_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
    export NEWSROOM_REQUIRE_SERVERS=1
    echo "ci: PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"
}

ci_servers_stop() {
    [ -n "${CI_SERVERS_DIR:-}" ] || return 0
    if [ -f "$CI_SERVERS_DIR/pg/data/postmaster.pid" ]; then
        _ci_as_owner "$(_ci_pg_bin)/pg_ctl" -D "$CI_SERVERS_DIR/pg/data" -m immediate -w stop \
            >/dev/null || true
    fi
    if [ -f "$CI_SERVERS_DIR/redis.pid" ]; then
        kill "$(cat "$CI_SERVERS_DIR/redis.pid")" 2>/dev/null || true
    fi
    rm -rf "$CI_SERVERS_DIR"
    CI_SERVERS_DIR=""
}
