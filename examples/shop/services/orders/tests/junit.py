"""A unittest result that also records every test for a JUnit XML report (no third-party deps)."""

import time
import traceback
import unittest
import xml.etree.ElementTree as ET


class JUnitResult(unittest.TextTestResult):
    """Keeps, per test, its outcome, duration and message, in the order tests ran."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = []
        self._started = 0.0

    def startTest(self, test):
        super().startTest(test)
        self._started = time.perf_counter()
        self.cases.append({"test": test, "outcome": "passed", "detail": None})

    def stopTest(self, test):
        self.cases[-1]["seconds"] = time.perf_counter() - self._started
        super().stopTest(test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failure", err)

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", err)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            is_failure = issubclass(err[0], test.failureException)
            self._record(test, "failure" if is_failure else "error", err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", None, reason)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._record(test, "failure", None, "unexpected success")

    def _record(self, test, outcome, err, message=None):
        # Errors in setUpClass arrive with a placeholder test that never started.
        if not self.cases or self.cases[-1]["test"] is not test:
            self.cases.append({"test": test, "outcome": "passed", "detail": None, "seconds": 0.0})
        case = self.cases[-1]
        if case["outcome"] in ("failure", "error"):
            return  # the first problem is the one worth reading
        case["outcome"] = outcome
        if err is not None:
            case["message"] = str(err[1]) or err[0].__name__
            case["type"] = err[0].__name__
            case["detail"] = "".join(traceback.format_exception(*err))
        else:
            case["message"] = message


def write_report(result, suite_name, path):
    """Writes `result` as one JUnit <testsuite>, counting from the recorded test cases."""
    counts = {outcome: 0 for outcome in ("failure", "error", "skipped")}
    suite = ET.Element("testsuite", name=suite_name)
    for case in result.cases:
        test = case["test"]
        test_id = test.id()
        classname, _, name = test_id.rpartition(".")
        element = ET.SubElement(
            suite, "testcase", classname=classname or suite_name, name=name, time=f"{case.get('seconds', 0.0):.6f}"
        )
        outcome = case["outcome"]
        if outcome != "passed":
            counts[outcome] += 1
            child = ET.SubElement(element, outcome, message=case.get("message") or "")
            if "type" in case:
                child.set("type", case["type"])
            if case["detail"]:
                child.text = case["detail"]
    suite.set("tests", str(len(result.cases)))
    suite.set("failures", str(counts["failure"]))
    suite.set("errors", str(counts["error"]))
    suite.set("skipped", str(counts["skipped"]))
    suite.set("time", f"{sum(case.get('seconds', 0.0) for case in result.cases):.6f}")
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
