"""Trains the Rasa model only when its inputs changed, and prints how long training took.

The model is named after a hash of everything that shapes it (config.yml, domain.yml, data/ and
the pinned Rasa environment), so an unchanged project reuses models/model-<hash>.tar.gz.
Prints the model path as the last line of output.

    python scripts/train.py [--rasa .venv-rasa/bin/rasa]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_INPUTS = ["config.yml", "domain.yml", "data", "requirements-rasa.txt"]


def model_inputs_hash(root: Path = ROOT) -> str:
    """A short hash of the file names and contents that shape the trained model."""
    digest = hashlib.sha256()
    for name in MODEL_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(file.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    return root / "models" / f"model-{model_inputs_hash(root)}.tar.gz"


def train(rasa: str, root: Path = ROOT) -> Path:
    target = model_path(root)
    if target.exists():
        print(f"Model is up to date (inputs unchanged): {target.relative_to(root)}", flush=True)
        return target
    print("Training the Rasa model (data, config or domain changed)...", flush=True)
    started = time.monotonic()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    subprocess.run(
        [rasa, "train", "--config=config.yml", "--domain=domain.yml", "--data=data",
         "--out=models", f"--fixed-model-name={target.name.removesuffix('.tar.gz')}"],
        cwd=root, env=env, check=True,
    )
    elapsed = time.monotonic() - started
    print(f"Training took {elapsed:.0f} s ({elapsed / 60:.1f} min).", flush=True)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", default=str(ROOT / ".venv-rasa" / "bin" / "rasa"))
    args = parser.parse_args()
    try:
        path = train(args.rasa)
    except subprocess.CalledProcessError as exc:
        print(f"Training failed (exit {exc.returncode}); see the output above.", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
