#!/usr/bin/env bash
# Build the one-folder ClassLens program into build/dist/classlens, then check it.
set -euo pipefail
cd "$(dirname "$0")/.."
uv run pyinstaller --noconfirm --clean --log-level WARN \
    --distpath build/dist --workpath build/work installer/classlens.spec
build/dist/classlens/classlens --version
QT_QPA_PLATFORM=offscreen build/dist/classlens/classlens selftest
du -sh build/dist/classlens
