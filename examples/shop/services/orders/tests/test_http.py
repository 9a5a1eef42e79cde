import http.client
import json
import threading
import unittest

from app.server import make_server

ORDER = {"userId": 7, "items": [{"productId": "mug", "quantity": 2, "unitPriceCents": 1250}]}


class OrdersHttpTest(unittest.TestCase):
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

    def test_health(self):
        self.assertEqual(self.request("GET", "/healthz"), (200, {"status": "ok"}))

    def test_place_get_and_list(self):
        status, order = self.request("POST", "/orders", ORDER)
        self.assertEqual(status, 201)
        self.assertEqual((order["id"], order["status"], order["totalCents"]), (1, "placed", 2500))
        self.assertEqual(self.request("GET", "/orders/1"), (200, order))
        self.assertEqual(self.request("GET", "/orders"), (200, [order]))

    def test_place_rejects_invalid_orders_and_malformed_json(self):
        self.assertEqual(self.request("POST", "/orders", {"userId": 7, "items": []})[0], 400)
        self.assertEqual(self.request("POST", "/orders", raw="{")[0], 400)

    def test_cancel_then_conflict(self):
        self.request("POST", "/orders", ORDER)
        status, order = self.request("POST", "/orders/1/cancel")
        self.assertEqual((status, order["status"]), (200, "cancelled"))
        self.assertEqual(self.request("POST", "/orders/1/cancel")[0], 409)

    def test_unknown_orders_are_not_found(self):
        self.assertEqual(self.request("GET", "/orders/42")[0], 404)
        self.assertEqual(self.request("POST", "/orders/42/cancel")[0], 404)
        self.assertEqual(self.request("GET", "/nope")[0], 404)
