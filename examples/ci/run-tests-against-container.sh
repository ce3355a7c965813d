#!/usr/bin/env bash
# Your tests against the emulator's container, as a CI job runs them: start the container, wait until
# it is healthy, run pytest with the plugin pointed at it, stop the container whatever happened.
#
#   examples/ci/run-tests-against-container.sh tests/        (any pytest arguments)
#
# CONTAINER_ENGINE (docker or podman; default docker), EMULATOR_IMAGE (default plivo-mpc-emulator, built
# with `docker build -t plivo-mpc-emulator .`), EMULATOR_PORT (default 8080). The container shares the
# host's network, so the emulator reaches webhook receivers your tests start on 127.0.0.1.
set -euo pipefail
engine=${CONTAINER_ENGINE:-docker}
image=${EMULATOR_IMAGE:-plivo-mpc-emulator}
port=${EMULATOR_PORT:-8080}
name=plivo-mpc-emulator-ci-$$

"$engine" run -d --rm --name "$name" --network host \
    -e PLIVO_EMULATOR_PORT="$port" -e PLIVO_EMULATOR_CLOCK=manual "$image" >/dev/null
trap '"$engine" stop -t 5 "$name" >/dev/null 2>&1 || true' EXIT

url="http://127.0.0.1:$port"
for _ in $(seq 1 150); do
    if python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)" \
        "$url/__emulator__/health" 2>/dev/null; then
        ready=1
        break
    fi
    sleep 0.2
done
if [ -z "${ready:-}" ]; then
    echo "the emulator did not become healthy on $url" >&2
    "$engine" logs "$name" >&2 || true
    exit 1
fi
pytest --plivo-emulator-url "$url" "$@"
