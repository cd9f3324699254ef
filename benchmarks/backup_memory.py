"""Peak memory of a backup and a restore against the size of the library.

Backups and restores are streamed, so their memory should stay flat as the
library grows. Builds a school whose library holds `--megabytes` of photo
files (random bytes, registered as photos), backs it up and restores it in a
child process, and prints the child's peak memory against the same run with
a library of 1/20 the size (the baseline, measured in the same script).

    uv run python benchmarks/backup_memory.py [--megabytes 1200]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

CHILD = r"""
import resource, sys
from pathlib import Path
from classlens.services import Services
from classlens.storage import Database
root = Path(sys.argv[1])
services = Services(Database(f"sqlite:///{root / 'db.sqlite'}"), root / "library",
                    key_file=root / "template.key")
services.backups.backup("admin", root / "backup.zip")
services.backups.restore("admin", root / "backup.zip")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def build(root: Path, megabytes: int) -> None:
    from classlens.services import Services
    from classlens.storage import Database
    from classlens.storage.models import Photo

    services = Services(Database(f"sqlite:///{root / 'db.sqlite'}"), root / "library",
                        key_file=root / "template.key")
    services.settings.init_school("Big Library School")
    with services.db.transaction() as session:
        for n in range(max(1, megabytes // 8)):  # 8 MB photos, as a 12 MP JPEG
            data = os.urandom(8 * 2**20)
            digest = hashlib.sha256(data).hexdigest()
            relative = services.library.store("originals", data, digest, "JPEG")
            session.add(Photo(sha256=digest, library_path=relative, original_name=f"{n}.jpg",
                              format="JPEG", width=4000, height=3000,
                              imported_at=datetime.now(UTC), imported_by="admin"))
    services.db.close()


def peak_mib(megabytes: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        build(root, megabytes)
        result = subprocess.run([sys.executable, "-c", CHILD, str(root)], check=True,
                                capture_output=True, text=True)
        return int(result.stdout.split()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=1200)
    args = parser.parse_args()
    baseline = peak_mib(max(8, args.megabytes // 20))
    large = peak_mib(args.megabytes)
    print(f"library {args.megabytes // 20} MB: peak {baseline:.0f} MiB (baseline)")
    print(f"library {args.megabytes} MB: peak {large:.0f} MiB")
    print(f"ratio: {large / baseline:.2f} (flat is 1.0)")


if __name__ == "__main__":
    main()
