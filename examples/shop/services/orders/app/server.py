"""HTTP routes of the orders service."""

import json
import re
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .store import OrderStore, StateError, ValidationError, validate

ORDER_PATH = re.compile(r"^/orders/(\d+)$")
CANCEL_PATH = re.compile(r"^/orders/(\d+)/cancel$")


class OrdersHandler(BaseHTTPRequestHandler):
    server_version = "orders/1.0"
    store: OrderStore  # set per server by make_server

    @property
    def route(self):
        """The request path without its query string."""
        return urlsplit(self.path).path

    def do_GET(self):
        if self.route == "/healthz":
            return self._send(HTTPStatus.OK, {"status": "ok"})
        if self.route == "/orders":
            return self._send(HTTPStatus.OK, self.store.list())
        match = ORDER_PATH.match(self.route)
        order = self.store.get(int(match.group(1))) if match else None
        return self._send(HTTPStatus.OK, order) if order else self._not_found()

    def do_POST(self):
        if self.route == "/orders":
            return self._place()
        match = CANCEL_PATH.match(self.route)
        if not match:
            return self._not_found()
        try:
            order = self.store.cancel(int(match.group(1)))
        except StateError as error:
            return self._send(HTTPStatus.CONFLICT, {"error": str(error)})
        return self._send(HTTPStatus.OK, order) if order else self._not_found()

    def log_message(self, format, *args):
        # One line per request on stdout, where container runtimes collect logs.
        print(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else '-'}", flush=True)

    def _place(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            order = validate(json.loads(self.rfile.read(length) or b"null"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            return self._send(HTTPStatus.BAD_REQUEST, {"error": f"body is not valid JSON: {error}"})
        except ValidationError as error:
            return self._send(HTTPStatus.BAD_REQUEST, {"error": str(error)})
        self._send(HTTPStatus.CREATED, self.store.place(order))

    def _not_found(self):
        self._send(HTTPStatus.NOT_FOUND, {"error": "not found"})

    def _send(self, status, body):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def make_server(host, port, store=None):
    """A threading server with its own store; port 0 picks a free port."""
    handler = type("BoundOrdersHandler", (OrdersHandler,), {"store": store or OrderStore()})
    return ThreadingHTTPServer((host, port), handler)
