import os
import socket
import subprocess
import sys
import time

import httpx2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_first_serve_migrates_and_loads_the_bundled_data(new_database, bundled):
    port = free_port()
    env = {**os.environ, "EVIDENCE_DATABASE_URL": new_database()}
    command = [sys.executable, "-m", "app", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                ready = httpx2.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except httpx2.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("server did not start within 30 s")
        assert ready.json() == {"status": "ok", "database": "ok"}
        topics = httpx2.get(f"http://127.0.0.1:{port}/v1/topics").json()
        assert topics["total"] == len(bundled.topics)
        claims = httpx2.get(f"http://127.0.0.1:{port}/v1/claims?limit=1").json()
        assert claims["total"] == sum(1 for claim in bundled.claims if claim.status == "vetted")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=15)
    assert "First run: loading" in output
