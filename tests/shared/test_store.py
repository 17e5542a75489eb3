"""The chunk store every sweep shares: atomic chunks, refusal of other settings, resume, finish."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import xarray as xr

from analysis.store import Store, cached_sweep, check_output_path, file_in, fingerprint, run_chunks, settings_dict


def _square(settings, chunk):
    return {"y": np.asarray(chunk, dtype=float) ** settings["power"]}


def _assemble(settings):
    def assemble(results):
        y = np.concatenate([r["y"] for r in results])
        return xr.Dataset({"y": (("x",), y)}, attrs={"fingerprint": fingerprint(settings)})
    return assemble


def test_settings_dict_makes_arrays_and_tuples_plain_and_fingerprints_are_order_free():
    s = settings_dict(a=np.array([1.0, 2.0]), b=(np.float32(3.0), 4), c=np.int64(5))
    assert s == {"a": [1.0, 2.0], "b": [3.0, 4], "c": 5}
    assert fingerprint({"x": 1, "y": 2}) == fingerprint({"y": 2, "x": 1})
    assert fingerprint({"x": 1}) != fingerprint({"x": 2})


def test_chunks_round_trip_atomically(tmp_path):
    store = Store(tmp_path / "s.nc", {"power": 2})
    assert store.load_chunk(0) is None
    store.save_chunk(0, {"y": np.arange(3.0)})
    np.testing.assert_array_equal(store.load_chunk(0)["y"], np.arange(3.0))
    assert [p.name for p in store.parts.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_a_store_with_other_settings_is_refused_and_left_intact(tmp_path):
    Store(tmp_path / "s.nc", {"power": 2}).save_chunk(0, {"y": np.ones(2)})
    with pytest.raises(ValueError, match="different settings"):
        Store(tmp_path / "s.nc", {"power": 3})
    assert Store(tmp_path / "s.nc", {"power": 2}).load_chunk(0) is not None


def test_cached_sweep_computes_only_what_is_missing_and_reuses_the_finished_file(tmp_path):
    settings = {"power": 2}
    out = tmp_path / "s.nc"
    Store(out, settings).save_chunk(1, {"y": np.array([-1.0])})  # a chunk "computed earlier"
    calls = []

    def counting(s, chunk):
        calls.append(chunk)
        return _square(s, chunk)

    ds = cached_sweep(counting, settings, [[1.0, 2.0], [3.0]], _assemble(settings), out=out)
    assert calls == [[1.0, 2.0]]  # chunk 1 came from the store
    np.testing.assert_array_equal(ds.y.values, [1.0, 4.0, -1.0])
    assert out.exists() and not (tmp_path / "s.nc.parts").exists()
    again = cached_sweep(lambda *a: pytest.fail("recomputed"), settings, [[1.0, 2.0], [3.0]], _assemble(settings),
                         out=out)
    np.testing.assert_array_equal(again.y.values, ds.y.values)
    with pytest.raises(ValueError, match="different settings"):
        Store(out, {"power": 3}).finished()


def test_an_executor_gives_the_serial_result_in_chunk_order():
    chunks = [[float(i)] for i in range(6)]
    serial = run_chunks(_square, {"power": 3}, chunks)
    with ThreadPoolExecutor(2) as pool:
        parallel = run_chunks(_square, {"power": 3}, chunks, executor=pool)
    assert [r["y"].tolist() for r in parallel] == [r["y"].tolist() for r in serial]


@pytest.mark.parametrize(("path", "match"), [("x.txt", "NetCDF"), ("missing/x.nc", "does not exist")])
def test_output_paths_are_checked(tmp_path, path, match):
    with pytest.raises(ValueError, match=match):
        check_output_path(tmp_path / path)


def test_file_in_names_a_file_in_an_existing_directory(tmp_path):
    assert file_in(None, "a") is None
    assert file_in(tmp_path, "a") == tmp_path / "a.nc"
    with pytest.raises(ValueError, match="out_dir"):
        file_in(tmp_path / "missing", "a")


@pytest.mark.parametrize("content", [b"", b"this is not a NetCDF file"], ids=["empty", "garbage"])
def test_an_unreadable_result_file_is_named_and_left_intact(tmp_path, content):
    out = tmp_path / "s.nc"
    out.write_bytes(content)
    with pytest.raises(ValueError, match="not a readable NetCDF file.*left untouched"):
        Store(out, {"power": 2}).finished()
    assert out.read_bytes() == content


def test_a_corrupted_chunk_is_named_and_left_intact(tmp_path):
    store = Store(tmp_path / "s.nc", {"power": 2})
    store.save_chunk(0, {"y": np.ones(3)})
    chunk = store.parts / "chunk_00000.npz"
    chunk.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match="chunk_00000.npz is corrupted"):
        store.load_chunk(0)
    assert chunk.read_bytes() == b"PK\x03\x04 truncated"


def test_parts_are_kept_when_the_written_file_would_lose_something(tmp_path, monkeypatch):
    settings = {"power": 2}
    out = tmp_path / "s.nc"
    store = Store(out, settings)
    store.save_chunk(0, {"y": np.ones(2)})
    ds = xr.Dataset({"y": (("x",), np.ones(2)), "z": (("x",), np.zeros(2))}, attrs={"fingerprint": store.fingerprint})
    real = xr.Dataset.to_netcdf

    def lossy(self, path, **kwargs):  # a writer that drops a variable
        return real(self.drop_vars("z"), path, **kwargs)

    monkeypatch.setattr(xr.Dataset, "to_netcdf", lossy)
    with pytest.raises(RuntimeError, match="lost"):
        store.finish(ds)
    assert store.load_chunk(0) is not None and not out.exists()


def test_a_fork_process_pool_is_refused():
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool, \
            pytest.raises(ValueError, match="spawn"):
        run_chunks(_square, {"power": 2}, [[1.0]], executor=pool)


def test_a_disabled_progress_bar_never_loads_the_notebook_bar(monkeypatch):
    """A sweep run with progress=False in a notebook without ipywidgets must not warn (tqdm.auto would)."""
    import io
    import sys

    import tqdm

    from analysis.store import progress_bar

    monkeypatch.delitem(sys.modules, "tqdm.auto", raising=False)
    monkeypatch.delitem(sys.modules, "tqdm.autonotebook", raising=False)
    bar = progress_bar(True, range(3))
    assert list(bar) == [0, 1, 2] and type(bar) is tqdm.tqdm
    # progress=None: a bar on an interactive terminal only; a notebook's stderr is no terminal
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    bar = progress_bar(None, range(2))
    assert list(bar) == [0, 1] and type(bar) is tqdm.tqdm and bar.disable
    assert "tqdm.auto" not in sys.modules and "tqdm.autonotebook" not in sys.modules
