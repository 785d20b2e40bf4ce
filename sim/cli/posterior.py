"""The command that builds the posterior over the unknowns from the published figures."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import typer

from sim.cli.app import EVERY_CORE_OPTION, SCHEDULER_OPTION, app, out_console, with_progress
from sim.errors import UsageError
from sim.experiments.calibration import DEFAULT_TARGETS
from sim.experiments.runner import check_run_size, executor_for
from sim.experiments.uncertainty import DEFAULT_POSTERIOR
from sim.files import check_writable
from sim.scenario.library import library_path


@app.command()
def posterior(
    scenario: Path = typer.Argument(library_path("timeline.toml"), help="Scenario whose unknowns to infer."),
    targets: Path = typer.Option(DEFAULT_TARGETS, "--targets", help="Published figures, with tolerances."),
    seed: int = typer.Option(1, "--seed", help="Root random seed of the build."),
    out: Path = typer.Option(DEFAULT_POSTERIOR, "--out", help="Posterior file to write (its design file goes beside)."),
    work: Path = typer.Option(Path("reports/posterior-build"), "--work",
                              help="Folder for finished simulations: run the same command again to resume."),
    workers: int = EVERY_CORE_OPTION,
    force: bool = typer.Option(False, "--force", help="Discard a previous build's simulations and start again."),
    scheduler: str = SCHEDULER_OPTION,
) -> None:
    """Condition every unknown on all published figures at once: emulators, history matching, MCMC. Resumable."""
    check_run_size(1, seed, workers)
    from sim.experiments import posterior_build

    for path in (out, posterior_build.design_path(out)):
        if path.is_dir() or (path.exists() and not path.is_file()):
            raise UsageError(f"--out {out}: {path} is {'a folder' if path.is_dir() else 'not a regular file'}; "
                             "the posterior is one file (e.g. scenarios/calibration/posterior.toml)")
    check_writable(out.parent / f"{out.name}.new", force=False)  # its folder takes files: checked before hours of work
    _check_work(work, force)

    waves = posterior_build.WAVES
    command = f"ringsim posterior {shlex.quote(str(scenario))} --targets {shlex.quote(str(targets))} --seed {seed}"

    def build(done):
        def simulated(n: int) -> None:
            for _ in range(n):
                done(0)

        return posterior_build.build(scenario, targets, seed, out, work, workers=workers, executor=executor,
                                     force=force, on_simulated=simulated, command=command)

    with executor_for(scheduler) as executor:
        provenance = with_progress("posterior: simulations", sum(waves), build)
    chain = provenance["mcmc"]
    out_console.print(
        f"{provenance['simulations']} simulations; {len(provenance['left_at_prior'])} unknowns left at their prior; "
        f"MCMC acceptance {chain['acceptance_fraction']:.2f}, effective sample size "
        f"{chain['effective_sample_size']:.0f}; wrote {out} and {posterior_build.design_path(out)}")


def _check_work(work: Path, force: bool) -> None:
    """The build folder holds only a build's own files: `--force` discards those and nothing else."""
    if not work.exists():
        return
    if not work.is_dir():
        raise UsageError(f"--work {work}: not a folder")
    own = re.compile(r"^(build\.\w+|wave\d+-\d+\.\w+|\..+\.tmp-\d+\..+)$")  # the build's manifest, chunks, temps
    foreign = sorted(p.name for p in work.iterdir() if not own.match(p.name))
    if foreign:
        raise UsageError(f"--work {work}: holds {foreign[0]}, which a posterior build did not write; choose "
                         "another --work")
    if force and any(work.iterdir()) and not (work / "build.json").is_file():
        raise UsageError(f"--work {work}: not a posterior build (no build.json); choose another --work")
