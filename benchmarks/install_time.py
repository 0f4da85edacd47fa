"""First-install time: a cold install the way a new user does it, and what the dependencies weigh.

Clones the repository, creates a fresh virtual environment and installs the package with its
``lab`` and ``dev`` extras without pip's cache (every wheel downloaded and unpacked, as on a new
machine); reports the wall time of each step, the venv's size on disk, the largest installed
distributions, and (``--usage``) where each dependency is imported in the repository. The figures
merge into ``benchmarks/results.json`` (key ``install``) and ``RESULTS.md`` is rewritten.

Usage::

    python benchmarks/install_time.py                  # clone HEAD to /tmp/benchclone, venv in /tmp/v
    python benchmarks/install_time.py --worktree       # ... with this checkout's pyproject.toml
    python benchmarks/install_time.py --extras lab     # what `make lab` installs (no dev tools)
    python benchmarks/install_time.py --usage          # only: which files import each dependency
    python benchmarks/install_time.py --sizes .venv    # only: the largest distributions of a venv

Downloads depend on the network: the time is this machine's (its pip configuration, mirrors and
link) and the download size is reported beside it so another link can be estimated. The clone and
the venv are removed afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _size(path: Path) -> int:
    """Bytes on disk under ``path`` (a file or a folder; symlinks not followed)."""
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir() or p.is_symlink())


def package_sizes(site: Path) -> dict[str, int]:
    """Bytes per installed distribution in a ``site-packages`` folder, largest first.

    Files are attributed through each ``*.dist-info/RECORD`` (so ``scikit_learn.libs`` counts
    for scikit-learn, and a package's files under ``share/`` or ``bin/`` count too); top-level
    entries no RECORD names count under their own name.
    """
    site = Path(site)
    sizes: dict[str, int] = {}
    claimed: set[str] = set()
    for info in site.glob("*.dist-info"):
        dist = _norm(info.name.split("-")[0])
        record = info / "RECORD"
        files = [line.split(",")[0] for line in record.read_text().splitlines()] if record.exists() else []
        total = 0
        for rel in files:
            p = (site / rel).resolve() if ".." in rel else site / rel
            if p.is_file():
                total += p.stat().st_size
            if not rel.startswith(".."):
                claimed.add(rel.split("/")[0])
        total += _size(info) if not record.exists() else 0
        sizes[dist] = sizes.get(dist, 0) + total
        claimed.add(info.name)
    for entry in site.iterdir():
        if entry.name in claimed or entry.name == "__pycache__":
            continue
        name = _norm(re.sub(r"(\.libs|\.py|\.pth|-[\d.]+\.data)$", "", entry.name))
        sizes[name] = sizes.get(name, 0) + _size(entry)
    return dict(sorted(sizes.items(), key=lambda kv: -kv[1]))


def _site(venv: Path) -> Path:
    (site,) = venv.glob("lib/python*/site-packages")
    return site


def _requirements(pyproject: Path) -> dict[str, list[str]]:
    """``{group: [distribution names]}`` from pyproject.toml (``core`` and each extra)."""
    import tomllib

    data = tomllib.loads(pyproject.read_text())["project"]
    name = lambda r: _norm(re.split(r"[<>=!~\[ ;]", r.strip(), maxsplit=1)[0])
    out = {"core": [name(r) for r in data["dependencies"]]}
    for extra, reqs in data.get("optional-dependencies", {}).items():
        out[extra] = [name(r) for r in reqs]
    return out


def usage(root: Path = ROOT, folders=("sim", "tests", "notebooks", "solutions", "benchmarks")) -> dict[str, dict]:
    """For each dependency of pyproject.toml: the modules it provides and the files importing them, per folder."""
    from importlib.metadata import packages_distributions

    modules: dict[str, set[str]] = {}
    for mod, dists in packages_distributions().items():
        for d in dists:
            modules.setdefault(_norm(d), set()).add(mod)
    out = {}
    texts = {
        p: p.read_text(errors="replace")
        for f in folders
        for p in (root / f).rglob("*")
        if p.suffix in (".py", ".ipynb")
    }
    for group, names in _requirements(root / "pyproject.toml").items():
        for dist in names:
            mods = sorted(modules.get(dist, {dist.replace("-", "_")}))
            names = "|".join(map(re.escape, mods))
            pat = re.compile(rf"(?:^|[\s\"'])(?:import|from)\s+(?:{names})\b", re.M)
            hits = sorted(str(p.relative_to(root)) for p, t in texts.items() if pat.search(t))
            per_folder = {f: sum(h.startswith(f + "/") for h in hits) for f in folders}
            out[dist] = {
                "group": group,
                "modules": mods,
                "files": len(hits),
                "per_folder": per_folder,
                "examples": hits[:5],
            }
    return out


def _run(cmd: list[str], cwd: Path | None = None, log: Path | None = None, timeout: float = 3600) -> float:
    """Run ``cmd``, append its output to ``log``, return its wall time; a failure raises with the tail."""
    w0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if log is not None:
        with log.open("a") as fh:
            fh.write(f"$ {' '.join(cmd)}\n{out.stdout}{out.stderr}\n")
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {out.returncode}):\n{(out.stdout + out.stderr)[-3000:]}")
    return time.perf_counter() - w0


def cold_install(clone: Path, venv: Path, python: str = "python3", extras: str = "lab,dev", worktree: bool = False,
                 keep: bool = False, top: int = 15) -> dict:  # fmt: skip
    """Clone, create the venv, ``pip install --no-cache-dir -e .[extras]``; times, sizes and the largest packages."""
    for p in (clone, venv):
        if p.exists():
            raise SystemExit(f"{p} exists: remove it first (a cold install needs a fresh folder)")
    log = Path(str(venv) + "-install.log")
    log.write_text("")
    t_clone = _run(["git", "clone", "--quiet", str(ROOT), str(clone)], log=log)
    if worktree:  # measure a proposed dependency change before it is committed
        shutil.copy2(ROOT / "pyproject.toml", clone / "pyproject.toml")
    t_venv = _run([python, "-m", "venv", str(venv)], log=log)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    t_pip = _run([*pip, "install", "--no-cache-dir", "-e", f".[{extras}]"], cwd=clone, log=log)
    text = log.read_text()
    installed = re.findall(r"Successfully installed (.*)", text)
    n_installed = len(installed[-1].split()) if installed else 0
    # download size: "Downloading x.whl (12.3 MB)" from an index, "Processing /path/x.whl" from a local folder
    units = {"kB": 1e3, "MB": 1e6, "GB": 1e9, "bytes": 1}
    dl = sum(float(v) * units[u] for v, u in re.findall(r"Downloading \S+ \(([\d.]+) (kB|MB|GB|bytes)\)", text))
    dl += sum(Path(p).stat().st_size for p in re.findall(r"Processing (/\S+\.whl)", text) if Path(p).exists())
    sizes = package_sizes(_site(venv))
    res = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": f'{python} -m venv {venv} && {venv}/bin/pip install --no-cache-dir -e ".[{extras}]"',
        "python": subprocess.run([str(venv / "bin" / "python"), "-V"], capture_output=True, text=True).stdout.strip(),
        "pyproject": "working tree" if worktree else "HEAD",
        "clone_s": t_clone,
        "venv_s": t_venv,
        "pip_install_s": t_pip,
        "total_s": t_clone + t_venv + t_pip,
        "venv_mib": _size(venv) / 2**20,
        "downloaded_mib": dl / 2**20,
        "distributions_installed": n_installed,
        "largest_mib": {k: v / 2**20 for k, v in list(sizes.items())[:top]},
        "log": str(log),
    }
    if not keep:
        shutil.rmtree(clone)
        shutil.rmtree(venv)
    return res


def render(d: dict) -> str:
    """The install figures as Markdown (``run.render`` includes them)."""
    top = ", ".join(f"{k} {v:.0f}" for k, v in d["largest_mib"].items())
    return (
        f"First install ({d['measured_at']}, pyproject.toml of {d['pyproject']}): `git clone` + `{d['command']}` "
        f"({d['python']}): **{d['total_s']:.0f} s** wall ({d['pip_install_s']:.0f} s of it pip, one run, "
        f"this machine's network and pip mirrors); {d['distributions_installed']} distributions, "
        f"{d['downloaded_mib']:.0f} MiB downloaded, venv **{d['venv_mib']:.0f} MiB** on disk. "
        f"Largest (MiB): {top}."
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clone", type=Path, default=Path("/tmp/benchclone"))
    ap.add_argument("--venv", type=Path, default=Path("/tmp/v"))
    ap.add_argument("--python", default="python3", help="the interpreter a new user has (default python3)")
    ap.add_argument("--extras", default="lab,dev")
    ap.add_argument("--worktree", action="store_true", help="install with this checkout's pyproject.toml, not HEAD's")
    ap.add_argument("--keep", action="store_true", help="keep the clone and the venv")
    ap.add_argument("--usage", action="store_true", help="only print where each dependency is imported")
    ap.add_argument("--sizes", type=Path, metavar="VENV", help="only print the largest distributions of VENV")
    ap.add_argument("--out", type=Path, default=HERE, help="folder of results.json / RESULTS.md (merged into)")
    opts = ap.parse_args()
    if opts.usage:
        for dist, u in usage().items():
            print(f"{dist:22s} {u['group']:5s} files {u['files']:4d} {u['per_folder']} {', '.join(u['modules'])}")
        return
    if opts.sizes:
        for dist, b in list(package_sizes(_site(opts.sizes)).items())[:30]:
            print(f"{b / 2**20:9.1f} MiB  {dist}")
        return
    res = cold_install(opts.clone, opts.venv, opts.python, opts.extras, opts.worktree, opts.keep)
    sys.path.insert(0, str(HERE))
    import run

    path = opts.out / "results.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    # one entry per set of extras: "install" is `make test`'s (lab,dev), "install_lab" `make lab`'s
    results["install" if opts.extras == "lab,dev" else f"install_{opts.extras.replace(',', '_')}"] = res
    run._write(path, json.dumps(results, indent=2))
    run._write(opts.out / "RESULTS.md", run.render(results))
    print(json.dumps(res, indent=2))
    print(render(res))


if __name__ == "__main__":
    main()
