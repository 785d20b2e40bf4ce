"""Scale-out: a Dask distributed cluster gives the same bytes as a local run, for the same seed."""

from __future__ import annotations

from conftest import run_cli
from distributed import LocalCluster


def test_a_dask_cluster_gives_byte_identical_files(library, tmp_path):
    args = ["run", str(library / "small.toml"), "--reps", "4", "--seed", "9"]
    assert run_cli(*args, "--workers", "1", "--out", str(tmp_path / "local")) == 0
    # Worker processes on loopback only: what CI allows, and what pickling across processes needs.
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        assert run_cli(*args, "--scheduler", cluster.scheduler_address, "--out", str(tmp_path / "dask")) == 0
    for name in ("summary.json", "replications.csv", "manifest.json"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_the_in_flight_bound_is_sized_to_the_cluster():
    from distributed import Client

    from sim.experiments.workers import executor_slots, in_flight_limit

    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster, set_as_default=False) as client:
        executor = client.get_executor()
        assert executor_slots(executor) == 4
        assert in_flight_limit(executor, None) == 16


def test_an_unreachable_scheduler_is_one_clear_line(library, tmp_path, capsys):
    status = run_cli("run", str(library / "small.toml"), "--reps", "1", "--scheduler", "tcp://127.0.0.1:9",
                     "--out", str(tmp_path / "never"))
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("ringsim: error: --scheduler tcp://127.0.0.1:9: cannot connect") and err.count("\n") == 1
    assert not (tmp_path / "never").exists()
