"""The application class: FastAPI with the service's middleware wrapped around the framework's own layers.

FastAPI builds an app's middleware inside three layers of its own: Starlette's server-error
handler, an exception observer for OpenTelemetry and a request-body limit. Each is a call on every
request and a wrapper around every message it passes. Outside them, the service's layers answer
what they answer whole (a hot read, a refusal, cached bytes) without entering the framework at all;
every other request passes through the framework as before, errors included: a 500 made by its
server-error handler now travels back through RequestContext, which gives it the request id and
default headers every answer carries, and RequestContext answers for an error raised in the
service's own layers.

FastAPI also asks OpenTelemetry on every request whether a tracer, meter or logger provider has
been configured (5.8 µs a request here, without one). This class asks once, when its stack is
built as the server starts: providers set up before then, as `opentelemetry-instrument` and an
app's own start-up code do, get FastAPI's spans and metrics as before; a provider configured later
is not seen.
"""

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send


class EvidenceApp(FastAPI):
    """FastAPI whose `add_middleware` layers sit outside the framework's server-error, telemetry and
    body-limit layers, in the order they were added (the last added outermost)."""

    native_telemetry = True  # until the stack is built: whether FastAPI's OpenTelemetry bridge has a provider

    def build_middleware_stack(self) -> ASGIApp:
        native = getattr(self, "_native_telemetry", None)  # FastAPI 0.165 and newer
        self.native_telemetry = native is not None and native.enabled()
        layers, self.user_middleware = self.user_middleware, []
        try:
            app = super().build_middleware_stack()
        finally:
            self.user_middleware = layers
        for cls, args, kwargs in reversed(layers):
            app = cls(app, *args, **kwargs)
        return app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.middleware_stack is None or self.native_telemetry or self.root_path or scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        await self.middleware_stack(scope, receive, send)
