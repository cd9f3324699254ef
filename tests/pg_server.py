"""A throwaway PostgreSQL cluster owned by the test run.

Started from Debian's `postgresql` binaries (which .ci/run installs when they
are missing) in a temporary directory, on a Unix socket and a free port, with
trust authentication; stopped and deleted when the run ends. Set
CLASSLENS_TEST_PG_URL to use an existing server instead, or
CLASSLENS_TEST_PG=off to run on SQLite only.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="classlens-pg-"))
        self.data = self.directory / "data"
        self.port = _free_port()
        self.url = (f"postgresql+psycopg://postgres@/postgres?host={self.directory}"
                    f"&port={self.port}")
        # initdb refuses to run as root: run the server as the postgres user.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.directory, "postgres", "postgres")

    def start(self) -> None:
        subprocess.run([*self._as, _binary("initdb"), "-D", str(self.data), "-U", "postgres",
                        "--auth=trust", "--encoding=UTF8", "--no-sync"],
                       check=True, capture_output=True)
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses='' "
                   "-c fsync=off -c full_page_writes=off -c max_connections=200")
        subprocess.run([*self._as, _binary("pg_ctl"), "-D", str(self.data), "-o", options,
                        "-l", str(self.directory / "log"), "-w", "start"],
                       check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run([*self._as, _binary("pg_ctl"), "-D", str(self.data), "-m", "immediate",
                        "stop"], capture_output=True, check=False)
        shutil.rmtree(self.directory, ignore_errors=True)


def server_url() -> tuple[str | None, Cluster | None]:
    """The URL of a PostgreSQL server for the tests, starting one if we can."""
    if os.environ.get("CLASSLENS_TEST_PG", "").lower() == "off":
        return None, None
    if os.environ.get("CLASSLENS_TEST_PG_URL"):
        return os.environ["CLASSLENS_TEST_PG_URL"], None
    if _binary("initdb") is None or _binary("pg_ctl") is None:
        return None, None
    cluster = Cluster()
    cluster.start()
    return cluster.url, cluster
