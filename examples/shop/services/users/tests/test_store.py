import threading
import unittest

from app.store import ConflictError, UserStore, ValidationError, validate


class ValidateTest(unittest.TestCase):
    def test_accepts_name_and_email_normalising_them(self):
        self.assertEqual(
            validate({"name": "  Ada Lovelace ", "email": "Ada@Example.org"}),
            {"name": "Ada Lovelace", "email": "ada@example.org"},
        )

    def test_rejects_bad_bodies(self):
        for body in (None, [], {"name": "", "email": "a@b.c"}, {"name": "Ada", "email": "nope"}, {"name": "Ada"}):
            with self.subTest(body=body):
                self.assertRaises(ValidationError, validate, body)

    def test_rejects_unknown_fields(self):
        with self.assertRaisesRegex(ValidationError, "unknown fields: admin"):
            validate({"name": "Ada", "email": "ada@example.org", "admin": True})


class UserStoreTest(unittest.TestCase):
    def test_assigns_increasing_ids(self):
        store = UserStore()
        first = store.create({"name": "Ada", "email": "ada@example.org"})
        second = store.create({"name": "Alan", "email": "alan@example.org"})
        self.assertEqual((first["id"], second["id"]), (1, 2))

    def test_refuses_a_second_user_with_the_same_email(self):
        store = UserStore()
        store.create({"name": "Ada", "email": "ada@example.org"})
        with self.assertRaises(ConflictError):
            store.create({"name": "Ada again", "email": "ada@example.org"})

    def test_returns_copies_so_callers_cannot_change_stored_users(self):
        store = UserStore()
        user = store.create({"name": "Ada", "email": "ada@example.org"})
        user["name"] = "Mallory"
        self.assertEqual(store.get(user["id"])["name"], "Ada")

    def test_keeps_every_user_created_concurrently(self):
        store = UserStore()
        threads = [
            threading.Thread(target=store.create, args=({"name": f"user {n}", "email": f"u{n}@example.org"},))
            for n in range(50)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        users = store.list()
        self.assertEqual(len(users), 50)
        self.assertEqual(sorted(user["id"] for user in users), list(range(1, 51)))
