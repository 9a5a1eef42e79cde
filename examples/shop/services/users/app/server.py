"""HTTP routes of the users service."""

import json
import re
from urllib.parse import urlsplit
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .store import ConflictError, UserStore, ValidationError, validate

DESCRIPTION = {
    "service": "users",
    "description": "The classic user service: create, read, update and delete users.",
    "routes": ["POST /user", "GET /user/<id>", "PUT /user/<id>", "DELETE /user/<id>", "GET /api/users", "GET /healthz"],
}
USER_PATH = re.compile(r"^/user/(\d+)$")


class BadRequest(Exception):
    pass


class UsersHandler(BaseHTTPRequestHandler):
    server_version = "users/1.0"
    store: UserStore  # set per server by make_server

    @property
    def route(self):
        """The request path without its query string."""
        return urlsplit(self.path).path

    def do_GET(self):
        if self.route == "/":
            return self._send(HTTPStatus.OK, DESCRIPTION)
        if self.route == "/healthz":
            return self._send(HTTPStatus.OK, {"status": "ok"})
        if self.route == "/api/users":
            return self._send(HTTPStatus.OK, self.store.list())
        user_id = self._user_id()
        if user_id is None:
            return self._not_found()
        user = self.store.get(user_id)
        return self._send(HTTPStatus.OK, user) if user else self._not_found()

    def do_POST(self):
        if self.route != "/user":
            return self._not_found()
        self._write(lambda fields: (HTTPStatus.CREATED, self.store.create(fields)))

    def do_PUT(self):
        user_id = self._user_id()
        if user_id is None:
            return self._not_found()
        self._write(lambda fields: (HTTPStatus.OK, self.store.replace(user_id, fields)))

    def do_DELETE(self):
        user_id = self._user_id()
        if user_id is None or not self.store.delete(user_id):
            return self._not_found()
        self.send_response(HTTPStatus.NO_CONTENT)
        self.end_headers()

    def log_message(self, format, *args):
        # One line per request on stdout, where container runtimes collect logs.
        print(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else '-'}", flush=True)

    def _write(self, apply):
        """Validates the JSON body, applies it, and answers with the resulting user."""
        try:
            status, user = apply(validate(self._read_json()))
        except (BadRequest, ValidationError) as error:
            return self._send(HTTPStatus.BAD_REQUEST, {"error": str(error)})
        except ConflictError as error:
            return self._send(HTTPStatus.CONFLICT, {"error": str(error)})
        if user is None:
            return self._not_found()
        self._send(status, user)

    def _read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(length) or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BadRequest(f"body is not valid JSON: {error}") from error

    def _user_id(self):
        match = USER_PATH.match(self.route)
        return int(match.group(1)) if match else None

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
    handler = type("BoundUsersHandler", (UsersHandler,), {"store": store or UserStore()})
    return ThreadingHTTPServer((host, port), handler)
