#!/usr/bin/env bash
# Installs the peers into benches/peer/.venv (pip, from PyPI, pinned
# versions): numpy (requirements.txt) and JAX on CPU (requirements-jax.txt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" -r "$here/requirements-jax.txt"
