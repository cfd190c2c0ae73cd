#!/usr/bin/env bash
# Build the wheel, install it (not editable) into a fresh venv outside the checkout, and serve it
# from an empty temporary directory: the migrations and the bundled data must come from the wheel,
# and the database must be created in the working directory.
set -euo pipefail
checkout=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$python" -m pip wheel --quiet --no-deps "$checkout" -w "$work/dist"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/*.whl
port=$("$work/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$work/run" && cd "$work/run"
env -u EVIDENCE_DATABASE_URL -u EVIDENCE_DATA_DIR "$work/venv/bin/evidence" serve --port "$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$port/readyz" || { cat "$work/serve.log"; exit 1; }
echo
curl -sf "http://127.0.0.1:$port/v1/claims/ketamine-can-be-addictive" | head -c 120
echo " ..."
test -f "$work/run/evidence.db" || { echo "the database was not created in the working directory" >&2; exit 1; }
echo "wheel smoke test passed: installed $(basename "$work"/dist/*.whl), served from a temporary directory"
