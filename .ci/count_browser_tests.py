"""Fail unless every suite run executed its browser tests and skipped none of them."""

import sys
import xml.etree.ElementTree as ET

failed = False
for argument in sys.argv[1:]:
    label, path = argument.split("=", 1)
    cases = [
        case for case in ET.parse(path).iter("testcase") if ".e2e." in case.get("classname", "")
    ]
    skipped = [case for case in cases if case.find("skipped") is not None]
    broken = [
        case for case in cases if case.find("failure") is not None or case.find("error") is not None
    ]
    passed = len(cases) - len(skipped) - len(broken)
    print(
        f"browser tests on {label}: {passed} passed, {len(skipped)} skipped, {len(broken)} failed"
    )
    failed |= not cases or bool(skipped) or bool(broken)
sys.exit(1 if failed else 0)
