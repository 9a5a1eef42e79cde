"""Runs every test under tests/ and writes reports/junit.xml: `python3 -m tests.run`."""

import os
import sys
import unittest

from .junit import JUnitResult, write_report

REPORT = os.path.join("reports", "junit.xml")


def main():
    suite = unittest.defaultTestLoader.discover("tests", top_level_dir=".")
    result = unittest.TextTestRunner(resultclass=JUnitResult, verbosity=2, stream=sys.stdout).run(suite)
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    write_report(result, "users", REPORT)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
