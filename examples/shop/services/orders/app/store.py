"""Orders kept in memory, shared safely between request threads."""

import itertools
import threading


class ValidationError(ValueError):
    """The request body does not describe a valid order."""


class StateError(ValueError):
    """The order cannot make this transition (e.g. cancelling twice)."""


def _positive_int(value):
    # bool is an int subclass; `true` is not a quantity.
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def validate(body):
    """Returns a normalised order from a decoded JSON body, or raises ValidationError."""
    if not isinstance(body, dict):
        raise ValidationError("body must be a JSON object")
    user_id, items = body.get("userId"), body.get("items")
    if not _positive_int(user_id):
        raise ValidationError("userId must be a positive integer")
    if not isinstance(items, list) or not items:
        raise ValidationError("items must be a non-empty list")
    lines = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("productId"), str) or not item["productId"]:
            raise ValidationError(f"items[{index}].productId is required")
        if not _positive_int(item.get("quantity")):
            raise ValidationError(f"items[{index}].quantity must be a positive integer")
        price = item.get("unitPriceCents")
        if not isinstance(price, int) or isinstance(price, bool) or price < 0:
            raise ValidationError(f"items[{index}].unitPriceCents must be a whole number of cents")
        lines.append({"productId": item["productId"], "quantity": item["quantity"], "unitPriceCents": price})
    total = sum(line["quantity"] * line["unitPriceCents"] for line in lines)
    return {"userId": user_id, "items": lines, "totalCents": total}


class OrderStore:
    def __init__(self):
        self._orders = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def list(self):
        with self._lock:
            return [self._copy(order) for order in self._orders.values()]

    def get(self, order_id):
        with self._lock:
            order = self._orders.get(order_id)
            return self._copy(order) if order else None

    def place(self, order):
        with self._lock:
            placed = {"id": next(self._ids), "status": "placed", **order}
            self._orders[placed["id"]] = placed
            return self._copy(placed)

    def cancel(self, order_id):
        """Returns the cancelled order, or None when there is no such order."""
        with self._lock:
            order = self._orders.get(order_id)
            if order is None:
                return None
            if order["status"] != "placed":
                raise StateError(f"order {order_id} is already {order['status']}")
            order["status"] = "cancelled"
            return self._copy(order)

    @staticmethod
    def _copy(order):
        return {**order, "items": [dict(item) for item in order["items"]]}
