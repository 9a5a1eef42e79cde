import unittest

from app.store import OrderStore, StateError, ValidationError, validate

ORDER = {"userId": 7, "items": [{"productId": "mug", "quantity": 2, "unitPriceCents": 1250}]}


class ValidateTest(unittest.TestCase):
    def test_computes_the_total_in_cents(self):
        order = validate(
            {
                "userId": 7,
                "items": [
                    {"productId": "mug", "quantity": 2, "unitPriceCents": 1250},
                    {"productId": "beans", "quantity": 1, "unitPriceCents": 2400},
                ],
            }
        )
        self.assertEqual(order["totalCents"], 4900)

    def test_rejects_bad_orders(self):
        bad = [
            None,
            {"userId": 7, "items": []},
            {"userId": True, "items": ORDER["items"]},
            {"userId": 7, "items": [{"productId": "mug", "quantity": 0, "unitPriceCents": 1250}]},
            {"userId": 7, "items": [{"productId": "mug", "quantity": 1, "unitPriceCents": 12.5}]},
        ]
        for body in bad:
            with self.subTest(body=body):
                self.assertRaises(ValidationError, validate, body)


class OrderStoreTest(unittest.TestCase):
    def test_places_orders_with_increasing_ids(self):
        store = OrderStore()
        self.assertEqual([store.place(validate(ORDER))["id"] for _ in range(3)], [1, 2, 3])

    def test_cancels_once(self):
        store = OrderStore()
        order = store.place(validate(ORDER))
        self.assertEqual(store.cancel(order["id"])["status"], "cancelled")
        with self.assertRaises(StateError):
            store.cancel(order["id"])
