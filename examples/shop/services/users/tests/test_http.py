import http.client
import json
import threading
import unittest

from app.server import make_server


class UsersHttpTest(unittest.TestCase):
    """Exercises every route against a real server on a free loopback port."""

    def setUp(self):
        self.server = make_server("127.0.0.1", 0)
        # A short poll interval keeps shutdown() in tearDown from waiting half a second per test.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def request(self, method, path, body=None, raw=None):
        connection = http.client.HTTPConnection(*self.server.server_address[:2], timeout=10)
        try:
            payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
            connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            data = response.read()
            return response.status, (json.loads(data) if data else None)
        finally:
            connection.close()

    def create(self, name="Ada", email="ada@example.org"):
        status, user = self.request("POST", "/user", {"name": name, "email": email})
        self.assertEqual(status, 201)
        return user

    def test_index_describes_the_service(self):
        status, body = self.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertEqual(body["service"], "users")

    def test_health(self):
        self.assertEqual(self.request("GET", "/healthz"), (200, {"status": "ok"}))

    def test_create_then_get(self):
        user = self.create()
        self.assertEqual(user, {"id": 1, "name": "Ada", "email": "ada@example.org"})
        self.assertEqual(self.request("GET", f"/user/{user['id']}"), (200, user))

    def test_create_validates(self):
        status, body = self.request("POST", "/user", {"name": "Ada", "email": "not-an-email"})
        self.assertEqual(status, 400)
        self.assertIn("email", body["error"])

    def test_create_rejects_malformed_json(self):
        status, _ = self.request("POST", "/user", raw='{"name": ')
        self.assertEqual(status, 400)

    def test_create_rejects_a_duplicate_email(self):
        self.create()
        status, _ = self.request("POST", "/user", {"name": "Ada II", "email": "ada@example.org"})
        self.assertEqual(status, 409)

    def test_update(self):
        user = self.create()
        changed = {"name": "Ada King", "email": "ada.king@example.org"}
        self.assertEqual(self.request("PUT", f"/user/{user['id']}", changed), (200, {"id": user["id"], **changed}))
        self.assertEqual(self.request("GET", f"/user/{user['id']}")[1]["name"], "Ada King")

    def test_update_rejects_malformed_json(self):
        user = self.create()
        status, _ = self.request("PUT", f"/user/{user['id']}", raw="not json")
        self.assertEqual(status, 400)

    def test_delete(self):
        user = self.create()
        self.assertEqual(self.request("DELETE", f"/user/{user['id']}"), (204, None))
        self.assertEqual(self.request("GET", f"/user/{user['id']}")[0], 404)

    def test_unknown_users_are_not_found(self):
        for method, body in (("GET", None), ("PUT", {"name": "Ghost", "email": "ghost@example.org"}), ("DELETE", None)):
            with self.subTest(method=method):
                self.assertEqual(self.request(method, "/user/999", body)[0], 404)

    def test_lists_users(self):
        ada = self.create()
        alan = self.create("Alan", "alan@example.org")
        self.assertEqual(self.request("GET", "/api/users"), (200, [ada, alan]))

    def test_unknown_paths_are_not_found(self):
        self.assertEqual(self.request("GET", "/nope")[0], 404)
        self.assertEqual(self.request("POST", "/users")[0], 404)
