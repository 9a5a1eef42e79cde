"""An in-memory user store that many request threads can share."""

import itertools
import re
import threading

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FIELDS = {"name", "email"}


class ValidationError(ValueError):
    """The request body does not describe a valid user."""


class ConflictError(ValueError):
    """Another user already has this email address."""


def validate(body):
    """Returns the user fields from a decoded JSON body, or raises ValidationError."""
    if not isinstance(body, dict):
        raise ValidationError("body must be a JSON object")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(unknown)}")
    name, email = body.get("name"), body.get("email")
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("name is required")
    if not isinstance(email, str) or not EMAIL.match(email):
        raise ValidationError("email must be an email address")
    return {"name": name.strip(), "email": email.lower()}


class UserStore:
    def __init__(self):
        self._users = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def list(self):
        with self._lock:
            return [dict(user) for user in self._users.values()]

    def get(self, user_id):
        with self._lock:
            user = self._users.get(user_id)
            return dict(user) if user else None

    def create(self, fields):
        with self._lock:
            self._check_email_free(fields["email"], None)
            user = {"id": next(self._ids), **fields}
            self._users[user["id"]] = user
            return dict(user)

    def replace(self, user_id, fields):
        """Returns the updated user, or None when there is no such user."""
        with self._lock:
            if user_id not in self._users:
                return None
            self._check_email_free(fields["email"], user_id)
            self._users[user_id] = {"id": user_id, **fields}
            return dict(self._users[user_id])

    def delete(self, user_id):
        """Returns whether a user was deleted."""
        with self._lock:
            return self._users.pop(user_id, None) is not None

    def _check_email_free(self, email, owner_id):
        if any(user["email"] == email and user["id"] != owner_id for user in self._users.values()):
            raise ConflictError(f"{email} is already registered")
