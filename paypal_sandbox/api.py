"""The wrapper every PayPal API endpoint goes through.

In order: the failure scenario (an injected 5xx/429 before any work), the bearer token,
the ``PayPal-Request-Id`` replay of a kept answer, the handler itself, an injected delay,
and an injected failure *after* the work (the client never hears the answer, but a retry
with the same request id gets it). Every call is logged for the control API.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from paypal_sandbox.errors import SandboxError, error_response, from_error
from paypal_sandbox.oauth import bearer_ok
from paypal_sandbox.state import Fault, Sandbox

__all__ = ["Handler", "endpoint"]

Handler = Callable[[Request, Sandbox], Awaitable[Response]]


def _fault_response(fault: Fault) -> Response:
    response = error_response(fault.status)
    if fault.status == 429:
        response.headers["Retry-After"] = "1"
    return response


def endpoint(
    handler: Handler, *, authenticated: bool = True, idempotent: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        sandbox: Sandbox = request.app.state.sandbox
        method, path = request.method, request.url.path
        request_id = request.headers.get("paypal-request-id")
        replayed = False
        fault = sandbox.scenario.take_fault(method, path)
        delay = sandbox.scenario.take_delay(method, path)
        if fault is not None and not fault.after_commit:
            response = _fault_response(fault)
        elif authenticated and not bearer_ok(request, sandbox):
            response = error_response(401)
        else:
            key = (method, path, request_id or "")
            replayable = idempotent and bool(request_id)
            # A retry that arrives while the first attempt is still running waits for it,
            # as PayPal does, instead of racing it (a double click, a client timeout).
            while replayable and key in sandbox.running:
                await asyncio.shield(sandbox.running[key])
            kept = sandbox.replies.get(key) if replayable else None
            if kept is not None:
                status, body, media_type = kept
                response = Response(body, status_code=status, media_type=media_type)
                replayed = True
            else:
                done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                if replayable:
                    sandbox.running[key] = done
                try:
                    try:
                        response = await handler(request, sandbox)
                    except SandboxError as error:
                        response = from_error(error)
                    # Only successes are kept: a capture refused before approval must
                    # succeed when retried with the same request id after approval.
                    if replayable and 200 <= response.status_code < 300:
                        sandbox.replies[key] = (
                            response.status_code,
                            bytes(response.body),
                            response.media_type or "application/json",
                        )
                finally:
                    if replayable:
                        sandbox.running.pop(key, None)
                    done.set_result(None)
            if fault is not None:
                response = _fault_response(fault)
        if delay:
            await asyncio.sleep(delay)
        sandbox.requests.append(
            {
                "method": method,
                "path": path,
                "status": response.status_code,
                "request_id": request_id,
                "replayed": replayed,
            }
        )
        return response

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run
