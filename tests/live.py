"""Real servers for tests that need real concurrency: the `evidence` command serving on a free port,
and a TCP proxy that can stop forwarding (a database that hangs without closing its connections)."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    output: str = ""


@contextmanager
def serving(
    env: dict[str, str], *, command: Sequence[str] | None = None, cwd: Path | None = None, wait: float = 60
) -> Iterator[Server]:
    """Run `evidence serve` (or `command`, given the port) until /healthz answers; stop it afterwards.

    The server's combined output is in `server.output` once the block ends.
    """
    port = free_port()
    argv = [*(command or [sys.executable, "-m", "app", "serve"]), "--port", str(port)]
    process = subprocess.Popen(
        argv, env={**os.environ, **env}, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                httpx2.get(f"{server.url}/healthz", timeout=1)
                break
            except httpx2.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"server did not start: {process.communicate()[0]}") from None
                time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
        server.output = process.communicate(timeout=15)[0]


@dataclass
class StallingProxy:
    """Forwards 127.0.0.1:port to a target until `stall()`; then holds every byte until `resume()`."""

    target: tuple[str, int]
    port: int = 0
    flowing: threading.Event = field(default_factory=threading.Event)
    sockets: list[socket.socket] = field(default_factory=list)

    def stall(self) -> None:
        self.flowing.clear()

    def resume(self) -> None:
        self.flowing.set()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()


@contextmanager
def stalling_proxy(host: str, port: int) -> Iterator[StallingProxy]:
    proxy = StallingProxy((host, port))
    proxy.resume()
    listener = socket.create_server(("127.0.0.1", 0))
    proxy.port = listener.getsockname()[1]
    proxy.sockets.append(listener)
    threading.Thread(target=proxy._accept, args=(listener,), daemon=True).start()
    try:
        yield proxy
    finally:
        proxy.resume()
        for sock in proxy.sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked on it
            sock.close()
