"""Run the Dockerfile's HEALTHCHECK command here, as the container would, and exit with its
status: the command is read from the Dockerfile, so CI and the tests check the one the image
has. `python` and the other programs it names are taken from this interpreter's folder first
(the image's PATH starts with its virtual environment's bin/)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def healthcheck_command(dockerfile: Path = ROOT / "Dockerfile") -> list[str]:
    text = dockerfile.read_text().replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$", text, re.MULTILINE)
    if not match:
        sys.exit(f"{dockerfile} has no HEALTHCHECK … CMD [exec form]")
    return json.loads(match.group(1))


if __name__ == "__main__":
    command = healthcheck_command()
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    print("HEALTHCHECK CMD", " ".join(command), flush=True)
    sys.exit(subprocess.run(command, cwd=ROOT, env=env, timeout=30).returncode)
