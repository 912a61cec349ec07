#!/usr/bin/env python3
"""test_harness.py -- the suite's own machinery, without any server: the
checks must be able to fail, the YAML emitter must produce what the
scenarios mean, times must parse as Go writes them, and every scenario
file must load.  Runs in well under a second: python3 test_harness.py
"""

import glob
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from compatlib import compare, scenario  # noqa: E402
from compatlib.sink import Sink  # noqa: E402


def delivery(path, at, alerts, **kw):
    d = {"path": path, "at": at, "answer": 200, "status": "firing", "groupKey": "{}:{}",
         "alerts": [{"status": s, "labels": l, "startsAt": 0.0, "endsAt": "zero"}
                    for s, l in alerts]}
    d.update(kw)
    return d


class ExpectedTest(unittest.TestCase):
    A = [["firing", {"alertname": "A"}]]

    def test_match(self):
        obs = [delivery("/wh", 1.02, self.A)]
        self.assertEqual(compare.check_expected(obs, [{"path": "/wh", "at": 1.0, "alerts": self.A}], 0.1), [])

    def test_late(self):
        obs = [delivery("/wh", 1.3, self.A)]
        errs = compare.check_expected(obs, [{"path": "/wh", "at": 1.0, "alerts": self.A}], 0.1)
        self.assertEqual(len(errs), 2, errs)  # no match, and the delivery is unexpected
        self.assertIn("at 1.30, want 1.0", errs[0])

    def test_missing_and_unexpected(self):
        errs = compare.check_expected([], [{"path": "/wh", "at": 1.0, "alerts": self.A}], 0.1)
        self.assertIn("missing delivery /wh", errs[0])
        errs = compare.check_expected([delivery("/x", 1.0, self.A)], [], 0.1)
        self.assertIn("unexpected delivery /x", errs[0])

    def test_fields_and_alerts(self):
        obs = [delivery("/wh", 1.0, [["resolved", {"alertname": "A"}]], groupKey="{}:{a=\"1\"}")]
        errs = compare.check_expected(obs, [{"path": "/wh", "at": 1.0, "alerts": self.A}], 0.1)
        self.assertIn("status 'resolved', want 'firing'", errs[0])
        errs = compare.check_expected(obs, [{"path": "/wh", "at": 1.0, "groupKey": "{}:{}",
                                             "alerts": [["resolved", {"alertname": "A"}]]}], 0.1)
        self.assertIn("groupKey", errs[0])
        errs = compare.check_expected(obs, [{"path": "/wh", "at": 1.0, "alerts": [
            {"status": "resolved", "labels": {"alertname": "A"}, "startsAt": 0.5}]}], 0.1)
        self.assertIn("startsAt", errs[0])

    def test_same_time_any_order_and_ranges(self):
        b = [["firing", {"alertname": "B"}]]
        obs = [delivery("/wh", 1.0, b), delivery("/wh", 1.0, self.A), delivery("/wh", 2.2, b)]
        exp = [{"path": "/wh", "at": 1.0, "alerts": self.A}, {"path": "/wh", "at": 1.0, "alerts": b},
               {"path": "/wh", "at": [2.0, 2.5], "alerts": b}]
        self.assertEqual(compare.check_expected(obs, exp, 0.1), [])
        exp[2]["at"] = [2.3, 2.5]
        self.assertEqual(len(compare.check_expected(obs, exp, 0.1)), 2)


class CrossTest(unittest.TestCase):
    A = [["firing", {"alertname": "A"}]]

    def test_equal(self):
        x = [delivery("/wh", 1.0, self.A)]
        self.assertEqual(compare.cross_compare(x, [delivery("/wh", 1.1, self.A)], [200], [200], [], 0.2), [])

    def test_differences(self):
        x = [delivery("/wh", 1.0, self.A)]
        errs = compare.cross_compare(x, [delivery("/wh", 1.5, self.A)], [200], [200], [], 0.2)
        self.assertIn("at am 1.00 router 1.50", errs[0])
        errs = compare.cross_compare(x, [delivery("/wh", 1.0, self.A, receiver="x")], [200], [200], [], 0.2)
        self.assertIn("receiver", errs[0])
        y = [delivery("/wh", 1.0, self.A)]
        y[0]["alerts"][0]["fingerprint"] = "00"
        self.assertIn("fingerprint", compare.cross_compare(x, y, [200], [200], [], 0.2)[0])
        errs = compare.cross_compare(x, x + x, [200], [200], [], 0.2)
        self.assertIn("am delivered 1 times, router 2 times", errs[0])
        self.assertIn("API answers", compare.cross_compare(x, x, [200], [400], [], 0.2)[0])


class ScenarioTest(unittest.TestCase):
    def test_yaml(self):
        cfg = {"route": {"receiver": "wh", "group_by": ["a", "..."], "continue": False,
                         "routes": [{"matchers": ["x=~\"a|b\""], "receiver": "wh"}], "e": []},
               "receivers": [{"name": "wh", "webhook_configs": [{"url": "{{sink}}/wh"}]}]}
        y = scenario.render_config({"config": cfg}, "http://127.0.0.1:1")
        self.assertEqual(y, "\n".join([
            "route:", '  receiver: "wh"', "  group_by:", '    - "a"', '    - "..."',
            "  continue: false", "  routes:", '    - matchers:', '        - "x=~\\"a|b\\""',
            '      receiver: "wh"', "  e: []", "receivers:", '  - name: "wh"', "    webhook_configs:",
            '      - url: "http://127.0.0.1:1/wh"']) + "\n")

    def test_times(self):
        t = scenario.parse_time("2024-05-01T10:00:00.123456789Z")
        self.assertAlmostEqual(t % 60, 0.123456789, places=6)
        self.assertAlmostEqual(scenario.parse_time("2024-05-01T12:00:00+02:00"), t - 0.123456789, places=6)
        self.assertIsNone(scenario.parse_time("0001-01-01T00:00:00Z"))
        now = 1700000000.25
        self.assertAlmostEqual(scenario.parse_time(scenario.rfc3339(now)), now, places=5)

    def test_all_scenarios_load(self):
        files = glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios", "*.json"))
        self.assertGreaterEqual(len(files), 15)
        for f in files:
            sc = scenario.load(f)
            self.assertTrue(sc["expect"], f)

    def test_bad_scenario(self):
        import json
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"description": "", "duration": 5, "config": {}, "steps": [{"at": 1, "bogus": 1}],
                       "expect": []}, f)
        try:
            with self.assertRaises(scenario.ScenarioError) as cm:
                scenario.load(f.name)
            self.assertIn("steps[0]", str(cm.exception))
        finally:
            os.unlink(f.name)


class SinkTest(unittest.TestCase):
    def test_plans(self):
        s = Sink()
        s.plan("/a", 500, count=2)
        s.plan("/b", 503, until=time.monotonic() + 60)
        s.plan("/c", 500, until=time.monotonic() - 1)
        self.assertEqual([s.take_answer("/a") for _ in range(3)], [500, 500, 200])
        self.assertEqual([s.take_answer("/b") for _ in range(2)], [503, 503])
        self.assertEqual(s.take_answer("/c"), 200)


if __name__ == "__main__":
    unittest.main(verbosity=1)
