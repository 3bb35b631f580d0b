"""Fail unless every suite run executed its browser tests and its object-storage tests (against
SeaweedFS) and skipped none of them."""

import sys
import xml.etree.ElementTree as ET

# What each kind of test that needs a real component is recognised by in its class name.
KINDS = {"browser": ".e2e.", "object-storage": ".ideas.test_object_storage"}

failed = False
for argument in sys.argv[1:]:
    label, path = argument.split("=", 1)
    every_case = list(ET.parse(path).iter("testcase"))
    for kind, marker in KINDS.items():
        cases = [case for case in every_case if marker in case.get("classname", "")]
        skipped = [case for case in cases if case.find("skipped") is not None]
        broken = [
            case
            for case in cases
            if case.find("failure") is not None or case.find("error") is not None
        ]
        passed = len(cases) - len(skipped) - len(broken)
        print(
            f"{kind} tests on {label}: {passed} passed, {len(skipped)} skipped, "
            f"{len(broken)} failed"
        )
        failed |= not cases or bool(skipped) or bool(broken)
sys.exit(1 if failed else 0)
