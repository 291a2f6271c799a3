"""Vendor the JavaScript the interactive ER diagram inlines, from the npm registry.

Run once when upgrading (the files are committed, so neither users nor CI need npm):
``python scripts/vendor_js.py``. It runs ``npm pack`` for each pinned package,
copies the browser bundle and the licence into ``workbench/diagram/web/vendor/``
and records name, version and SHA-256 in ``vendor/SOURCES.md``.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

#: package, version, file inside the tarball, name written
PACKAGES = (("@dagrejs/dagre", "3.1.3", "package/dist/dagre.min.js", "dagre.min.js"),)

VENDOR = Path(__file__).resolve().parent.parent / "workbench" / "diagram" / "web" / "vendor"


def main() -> None:
    lines = [
        "# Vendored JavaScript",
        "",
        "Inlined into `er.html` by `workbench/diagram/interactive.py`; fetched from the npm",
        "registry by `scripts/vendor_js.py` (do not edit by hand).",
        "",
        "| package | version | file | licence | sha256 |",
        "|---|---|---|---|---|",
    ]
    VENDOR.mkdir(parents=True, exist_ok=True)
    for name, version, member, target in PACKAGES:
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                ["npm", "pack", f"{name}@{version}", "--silent"],
                cwd=tmp,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()[-1]
            with tarfile.open(Path(tmp) / out) as tar:
                tar.extractall(tmp, filter="data")
            shutil.copyfile(Path(tmp) / member, VENDOR / target)
            licence = target.split(".")[0] + ".LICENSE"
            shutil.copyfile(Path(tmp) / "package" / "LICENSE", VENDOR / licence)
        digest = hashlib.sha256((VENDOR / target).read_bytes()).hexdigest()
        lines.append(f"| `{name}` | {version} | `{target}` | MIT (`{licence}`) | `{digest[:16]}` |")
    (VENDOR / "SOURCES.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
