"""Chunked, resumable sweeps: the one store and executor loop that every sweep shares.

A sweep is split into chunks along one axis. ``run_chunks`` computes the chunks that are not
saved yet, in-process or on any ``concurrent.futures.Executor`` (a process pool, or a
``dask.distributed`` client's executor), and hands each finished chunk to a :class:`Store`,
which writes it atomically under ``path + ".parts/"``. An interrupted sweep rerun with the same
settings therefore resumes where it stopped and recomputes nothing; the finished result is
written to ``path`` (NetCDF) and reused as it is by a rerun with the same settings. A rerun
with different settings on the same path is refused, never silently mixed.

:func:`cached_sweep` is the whole sequence (reuse a finished result, else run the missing chunks,
assemble, save), used by :func:`analysis.phase_diagram` and :func:`analysis.networks.train_sweep`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

ENGINE = "scipy"  # NetCDF3 through scipy, a core dependency: no extra I/O library needed
NETCDF_SUFFIXES = (".nc", ".nc3", ".cdf", ".netcdf")


def settings_dict(**kwargs) -> dict:
    """JSON-able settings; arrays become lists and dataclasses dicts, so that reruns compare exactly."""
    out = {}
    for key, value in kwargs.items():
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif hasattr(value, "__dataclass_fields__"):
            value = {f: _plain(getattr(value, f)) for f in value.__dataclass_fields__}
        out[key] = _plain(value)
    return out


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def fingerprint(settings: dict) -> str:
    """A short hash of the settings: equal settings, equal fingerprint."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def check_output_path(out, name: str = "out") -> Path:
    """Validate a NetCDF output path: a NetCDF suffix and an existing, writable parent directory."""
    path = Path(out)
    if path.suffix.lower() not in NETCDF_SUFFIXES:
        raise ValueError(f"{name}: {path} must name a NetCDF file ({', '.join(NETCDF_SUFFIXES)}), got {path.suffix!r}")
    if not path.parent.is_dir():
        raise ValueError(f"{name}: directory {path.parent} does not exist; create it first")
    if not os.access(path.parent, os.W_OK):
        raise ValueError(f"{name}: directory {path.parent} is not writable")
    return path


def write_netcdf(ds, path, *, overwrite: bool = False, name: str = "path") -> Path:
    """Write a Dataset to a NetCDF file atomically; an existing file is replaced only with ``overwrite``."""
    path = check_output_path(path, name)
    if path.exists() and not overwrite:
        raise ValueError(f"{name}: {path} exists; pass overwrite=True to replace it")
    tmp = path.with_name(path.name + ".tmp")
    ds.to_netcdf(tmp, engine=ENGINE)
    os.replace(tmp, path)  # a reader sees the old file or the whole new one
    return path


def file_in(out_dir, name: str) -> Path | None:
    """``out_dir / (name + ".nc")`` for an existing directory, None without one (ValueError otherwise)."""
    if out_dir is None:
        return None
    directory = Path(out_dir)
    if not directory.is_dir():
        raise ValueError(f"out_dir must be an existing directory, got {str(out_dir)!r}")
    return directory / f"{name}.nc"


def parts_dir(path) -> Path:
    """The folder that holds a sweep's chunks while it runs: ``path + ".parts"``."""
    path = Path(path)
    return path.with_name(path.name + ".parts")


def progress_file(path, index: int) -> Path:
    """Where chunk ``index`` of the sweep saved at ``path`` keeps its progress while it runs."""
    return parts_dir(path) / f"progress_{index:05d}.npz"


def available_memory() -> int:
    """Bytes of memory this process can still use: the least of what the machine has available, what
    its control group allows and what its address-space limit (``ulimit -v``) leaves."""
    limits = []
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
    except OSError:
        pass
    if not limits:
        limits.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    try:  # cgroup v2: the group's limit less what it uses
        cgroup = Path("/sys/fs/cgroup")
        cap = (cgroup / "memory.max").read_text().strip()
        if cap != "max":
            limits.append(int(cap) - int((cgroup / "memory.current").read_text()))
    except (OSError, ValueError):
        pass
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            with open("/proc/self/statm") as statm:
                used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            limits.append(soft - used)
    except (OSError, ValueError, ImportError):
        pass
    return max(0, min(limits))


def check_memory(nbytes: float, what: str) -> None:
    """Refuse up front work whose arrays cannot fit in the memory available (ValueError)."""
    limit = available_memory()
    if nbytes > limit:
        raise ValueError(f"{what} would need about {nbytes / 2**30:.1f} GiB, more than the "
                         f"{limit / 2**30:.1f} GiB available")


def _read_marker(marker: Path, name: str) -> dict:
    try:
        return json.loads(marker.read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{name}: {marker} is corrupted ({exc}); delete the folder {marker.parent} to start over") \
            from None


class Store:
    """On-disk chunks of one sweep, keyed by the fingerprint of its settings."""

    def __init__(self, path, settings: dict, name: str = "out"):
        self.path = check_output_path(path, name)
        self.parts = parts_dir(self.path)
        self.settings = settings
        self.fingerprint = fingerprint(settings)
        self.name = name
        marker = self.parts / "settings.json"
        if marker.exists() and _read_marker(marker, name).get("fingerprint") != self.fingerprint:
            raise ValueError(
                f"{name}: {self.parts} holds a partial sweep with different settings; "
                "use another path or delete it to start over"
            )

    def finished(self):
        """The finished Dataset at ``path``, or None; refuses one made with other settings."""
        if not self.path.exists():
            return None
        import xarray as xr

        try:
            ds = xr.open_dataset(self.path, engine=ENGINE)
        except (OSError, ValueError, TypeError) as exc:  # garbage, empty or truncated: left as it is
            size = self.path.stat().st_size
            what = "it is empty" if size == 0 else f"its {size} bytes are not a NetCDF-3 file ({type(exc).__name__})"
            raise ValueError(f"{self.name}: {self.path} is not a readable NetCDF file: {what}. It is left "
                             "untouched: move it away or choose another path") from None
        with ds:
            if ds.attrs.get("fingerprint") != self.fingerprint:
                raise ValueError(
                    f"{self.name}: {self.path} holds a sweep with different settings; use another path or delete it"
                )
            return ds.load()

    def _chunk_file(self, index: int) -> Path:
        return self.parts / f"chunk_{index:05d}.npz"

    def load_chunk(self, index: int) -> dict | None:
        file = self._chunk_file(index)
        if not file.exists():
            return None
        try:
            with np.load(file) as saved:
                return {k: saved[k] for k in saved.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{self.name}: the saved chunk {file} is corrupted ({type(exc).__name__}: {exc}); "
                             "delete that file to recompute the chunk") from None

    def save_chunk(self, index: int, result: dict) -> None:
        self.parts.mkdir(exist_ok=True)
        marker = self.parts / "settings.json"
        if not marker.exists():
            marker.write_text(json.dumps({"fingerprint": self.fingerprint, "settings": self.settings}))
        tmp = self.parts / f".chunk_{index:05d}.tmp.npz"
        np.savez(tmp, **result)
        os.replace(tmp, self._chunk_file(index))  # atomic: a chunk file is complete or absent
        progress_file(self.path, index).unlink(missing_ok=True)  # the chunk's progress is in the chunk now

    def finish(self, ds) -> None:
        """Write the assembled Dataset; the chunks are deleted only once the file holds all of it."""
        import xarray as xr

        tmp = self.path.with_name(self.path.name + ".tmp")
        ds.to_netcdf(tmp, engine=ENGINE)
        with xr.open_dataset(tmp, engine=ENGINE) as written:
            lost = sorted(set(ds.variables) - set(written.variables))
            changed = sorted(k for k in ds.variables if k in written.variables and written[k].shape != ds[k].shape)
        if lost or changed:
            tmp.unlink()
            raise RuntimeError(f"{self.name}: writing {self.path} lost {lost} and changed {changed}; "
                               f"the chunks are kept in {self.parts}")
        os.replace(tmp, self.path)
        shutil.rmtree(self.parts, ignore_errors=True)


def check_executor(executor) -> None:
    """Refuse an executor that would hang: a process pool that forks a process already running threads.

    JAX's and numba's thread pools do not survive a fork; the child waits on locks held by threads
    that were not copied, forever, with no message.
    """
    if executor is None:
        return
    if not isinstance(executor, Executor):
        raise ValueError(f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}")
    context = getattr(executor, "_mp_context", None)  # ProcessPoolExecutor keeps its context there
    if isinstance(executor, ProcessPoolExecutor) and context is not None and context.get_start_method() == "fork":
        raise ValueError('executor: a ProcessPoolExecutor with the "fork" start method hangs once JAX or numba '
                         'threads run; create it with mp_context=multiprocessing.get_context("spawn")')


def run_chunks(
    compute: Callable[[dict, object], dict],
    settings: dict,
    chunks: Sequence,
    *,
    store: Store | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    desc: str = "sweep",
) -> list[dict]:
    """Compute ``compute(settings, chunk)`` for every chunk not yet in ``store``; return all results.

    ``compute`` must be a module-level function (so that process pools and dask can pickle it)
    that returns a dict of numpy arrays. Each result is saved as soon as it arrives, so an
    interruption at any point loses at most the chunks still running. ``progress=None`` shows a
    tqdm bar only on an interactive terminal.
    """
    check_executor(executor)
    results: dict[int, dict] = {}
    todo = []
    for index in range(len(chunks)):
        saved = store.load_chunk(index) if store is not None else None
        if saved is not None:
            results[index] = saved
        else:
            todo.append(index)

    def keep(index: int, result: dict) -> None:
        results[index] = result
        if store is not None:
            store.save_chunk(index, result)

    disable = None if progress is None else not progress
    with progress_bar(disable, total=len(chunks), initial=len(chunks) - len(todo), desc=desc, unit="chunk",
                      leave=False) as bar:
        if executor is None:
            for index in todo:
                keep(index, compute(settings, chunks[index]))
                bar.update()
        else:
            futures = {executor.submit(compute, settings, chunks[i]): i for i in todo}
            try:
                for future in as_completed(futures):
                    keep(futures[future], future.result())
                    bar.update()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    return [results[i] for i in range(len(chunks))]


def cached_sweep(
    compute: Callable[[dict, object], dict],
    settings: dict,
    chunks: Sequence,
    assemble: Callable[[list[dict]], object],
    *,
    out=None,
    executor: Executor | None = None,
    progress: bool | None = None,
    desc: str = "sweep",
):
    """A finished sweep from ``out`` if it holds one, else run its chunks, ``assemble`` and save.

    The one store -> run -> finish sequence of every sweep: ``assemble(results)`` turns the
    chunks' results (in chunk order) into the Dataset that is returned and, with ``out``, written
    there (see :class:`Store` and :func:`run_chunks`).
    """
    store = Store(out, settings) if out is not None else None
    if store is not None and (done := store.finished()) is not None:
        return done
    results = run_chunks(compute, settings, chunks, store=store, executor=executor, progress=progress, desc=desc)
    ds = assemble(results)
    if store is not None:
        store.finish(ds)
    return ds


def progress_bar(disable: bool | None, iterable=None, **options):
    """A tqdm bar unless ``disable`` is True; None: on an interactive terminal only.

    A bar that is shown is ``tqdm.auto``'s (a widget in a notebook). A bar that is not is plain
    ``tqdm``'s, so that a notebook without ipywidgets gets no warning from ``tqdm.auto`` for a bar
    it never shows.
    """
    if disable is None:
        disable = not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
    if disable:
        from tqdm import tqdm
    else:
        from tqdm.auto import tqdm
    return tqdm(iterable, disable=disable, **options)
