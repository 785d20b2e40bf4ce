"""Commands that run scenarios and write results: run, compare, brief, calibrate."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer

from sim.cli.app import (
    EVERY_CORE_OPTION,
    FORCE_OPTION,
    IN_FLIGHT_OPTION,
    MAX_REPS_OPTION,
    PAIRED_SEED_OPTION,
    PRECISION_OPTION,
    SCHEDULER_OPTION,
    SEED_OPTION,
    SETTLE_OPTION,
    STATE_OPTION,
    UNCERTAINTY_OPTION,
    app,
    check_posterior_file,
    out_console,
    say_overrides,
    with_progress,
)
from sim.cli.tables import calibration_table, change_table, cross_validation_table, headline_table, state_table
from sim.errors import UsageError
from sim.experiments.calibration import DEFAULT_TARGETS
from sim.experiments.runner import MAX_REPLICATIONS, check_run_size, executor_for, simulate
from sim.files import check_writable
from sim.report import DEFAULT_BRIEF_REPS, SETTLE_FACTOR
from sim.report.output import write_run
from sim.scenario.library import library_path


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="Scenario file, e.g. scenarios/timeline.toml"),
    reps: int = typer.Option(100, "--reps", help="Number of replications (with --precision: the first batch)."),
    seed: int = SEED_OPTION,
    out: Path = typer.Option(None, "--out", help="Output folder (default reports/<scenario name>)."),
    workers: int = EVERY_CORE_OPTION,
    force: bool = FORCE_OPTION,
    scheduler: str = SCHEDULER_OPTION,
    in_flight: int = IN_FLIGHT_OPTION,
    uncertainty: str = UNCERTAINTY_OPTION,
    precision: float = PRECISION_OPTION,
    max_reps: int = MAX_REPS_OPTION,
    state: str = STATE_OPTION,
) -> None:
    """Run a scenario and write summary.json, replications.csv and manifest.json."""
    check_run_size(reps, seed, workers)
    check_posterior_file(uncertainty)
    from sim.scenario import loader

    rule = _precision(precision, reps, max_reps, "all")
    loaded = loader.load(scenario)
    _check_state(state, [loaded])
    out = out or Path("reports") / loaded.name
    check_writable(out, force, inputs_of([loaded]))
    say_overrides([loaded])
    with executor_for(scheduler) as executor:
        result = with_progress(f"{loaded.name}", rule.ceiling if rule else reps, lambda done: simulate(
            loaded, reps, seed, workers=workers, executor=executor, on_done=done, uncertainty=uncertainty,
            precision=rule, in_flight=in_flight))
    command = (f"ringsim run {shlex.quote(str(scenario))} --reps {result.replications} --seed {seed} "
               f"--uncertainty {result.uncertainty}" + (f" --state {state}" if state else ""))
    written = write_run(result, out, command, force=force)
    out_console.print(state_table(result, state) if state else headline_table(result))
    _say_precision(result.precision)
    out_console.print(f"wrote {', '.join(str(p) for p in written)}")


def inputs_of(loaded: list, *files: Path) -> list[str]:
    """The files a run reads (scenarios and their bases, targets): --force never replaces a folder holding one."""
    return [shown for one in loaded for shown, _digest in one.files] + [str(f) for f in files]


def _check_state(state: str | None, loaded: list) -> None:
    if state is not None and state not in loaded[0].policy_book.states:
        raise UsageError(f"--state {state}: not a state of {loaded[0].name} (one of "
                         f"{', '.join(loaded[0].policy_book.states)})")


def _check_year(year: str | None, loaded) -> str:
    """`all` when no year is given, else the year if the horizon has it."""
    if year is None:
        return "all"
    if year not in loaded.years:
        raise UsageError(f"--year {year}: must be one of the base's years ({loaded.years[0]}-{loaded.years[-1]})")
    return year


def _settings(sets: list[str]) -> dict:
    """`--set PATH=VALUE` options as overrides; a VALUE is read as TOML (0.5, true, "text"),
    else taken as plain text (public_post)."""
    import tomllib

    changes = {}
    for text in sets:
        path, sep, value = text.partition("=")
        if not sep or not path.strip() or not value.strip():
            raise UsageError(f"--set {text}: expected PATH=VALUE, e.g. population.owners.e2ee_share_when_default=0.5")
        try:
            changes[path.strip()] = tomllib.loads(f"v = {value.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            changes[path.strip()] = value.strip()
    return changes


def _precision(relative: float | None, reps: int, max_reps: int, period: str):
    from sim.experiments.precision import Precision

    if relative is None:
        return None
    if not 1 <= max_reps <= MAX_REPLICATIONS:
        raise UsageError(f"--max-reps {max_reps}: must be between 1 and {MAX_REPLICATIONS:,}")
    return Precision(relative, first=reps, ceiling=max_reps, period=period)


def _say_precision(record: dict | None) -> None:
    if not record:
        return
    worst = max((w for w in record["relative_width"].values() if w is not None), default=None)
    if record["reached"]:
        out_console.print(f"precision reached with {record['replications']:,} replications: every 95% interval is "
                          f"at most {record['relative_width_asked']:.1%} of its number")
    else:
        short = [n for n, w in record["relative_width"].items() if w is None or w > record["relative_width_asked"]]
        out_console.print(f"precision NOT reached: stopped at the ceiling of {record['replications']:,} replications "
                          f"(--max-reps); still wider than {record['relative_width_asked']:.1%}: {', '.join(short)}"
                          + (f" (widest {worst:.1%})" if worst is not None else " (a change of zero)"))


@app.command()
def compare(
    base: Path = typer.Argument(..., help="The base scenario, e.g. scenarios/timeline.toml"),
    variants: list[Path] = typer.Argument(..., help="One or more variant scenarios."),
    reps: int = typer.Option(100, "--reps", help="Replications per scenario (with --precision: the first batch)."),
    seed: int = PAIRED_SEED_OPTION,
    out: Path = typer.Option(None, "--out", help="Output folder (default reports/compare-<base>)."),
    workers: int = EVERY_CORE_OPTION,
    force: bool = FORCE_OPTION,
    scheduler: str = SCHEDULER_OPTION,
    in_flight: int = IN_FLIGHT_OPTION,
    uncertainty: str = UNCERTAINTY_OPTION,
    precision: float = PRECISION_OPTION,
    max_reps: int = MAX_REPS_OPTION,
    sets: list[str] = typer.Option(None, "--set", metavar="PATH=VALUE",
                                   help="Change one parameter in every variant, without editing a file, e.g. "
                                        "population.owners.e2ee_share_when_default=0.5 (repeat for more)."),
    chart: bool = typer.Option(False, "--chart", help="Also draw chart.png (and .svg, .csv): before and after, "
                                                      "route by route, every bar labelled, sized for a projector."),
    state: str = STATE_OPTION,
    year: str = typer.Option(None, "--year", help="Year of the table and chart (default: all years together)."),
) -> None:
    """Run a base and its variants with common random numbers; write paired differences."""
    check_run_size(reps, seed, workers)
    check_posterior_file(uncertainty)
    from sim.experiments.compare import compare_scenarios
    from sim.report.output import write_comparison
    from sim.scenario.catalog import load_named

    rule = _precision(precision, reps, max_reps, "all")
    changes = _settings(sets or [])
    loaded = [load_named(base), *(load_named(p, overrides=changes or None) for p in variants)]
    _check_state(state, loaded)
    period = _check_year(year, loaded[0])
    out = out or Path("reports") / f"compare-{loaded[0].name}"
    check_writable(out, force, inputs_of(loaded))
    total = (rule.ceiling if rule else reps) * len(loaded)
    say_overrides(loaded)
    with executor_for(scheduler) as executor:
        comparison = with_progress(f"{len(loaded)} scenarios", total, lambda done: compare_scenarios(
            loaded[0], loaded[1:], reps, seed, workers=workers, executor=executor, on_done=lambda _s, i: done(i),
            uncertainty=uncertainty, precision=rule, in_flight=in_flight))
    command = (f"ringsim compare {' '.join(shlex.quote(str(p)) for p in (base, *variants))} "
               f"--reps {comparison.base.replications} --seed {seed} --uncertainty {comparison.base.uncertainty}"
               + "".join(f" --set {shlex.quote(s)}" for s in sets or [])
               + (f" --state {state}" if state else "") + (f" --year {year}" if year else ""))
    extra = {}
    if chart:
        from sim.report.class_charts import before_after

        drawn = before_after(comparison.in_state(state) if state else comparison, period)
        extra = {"chart.png": drawn.png, "chart.svg": drawn.svg, "chart.csv": drawn.csv}
    written = write_comparison(comparison, out, command, force=force, extra=extra)
    out_console.print(change_table(comparison.in_state(state) if state else comparison, period=period))
    _say_inert(loaded)
    _say_precision(comparison.base.precision)
    out_console.print(f"wrote {len(written)} files under {out}/: comparison.json, comparison.csv, "
                      "comparison-summary.csv (plain words, for a class), "
                      + ("chart.png, " if chart else "") + "and one folder per scenario")


def _say_inert(loaded: list) -> None:
    """A lever that cannot act in the years run says so, under the table that would show it as no change."""
    from sim.experiments.inert import inert_notes

    for variant in loaded[1:]:
        for note in inert_notes(loaded[0], variant):
            out_console.print(f"note: {note}", highlight=False, markup=False)


@app.command()
def brief(
    scenarios: list[Path] = typer.Argument(None, help="Base scenario, then variants (default: the real timeline "
                                                      "against every shipped law, nationally, and platform choice)."),
    reps: int = typer.Option(DEFAULT_BRIEF_REPS, "--reps",
                             help="Replications per scenario (with --precision: the first batch)."),
    seed: int = PAIRED_SEED_OPTION,
    year: str = typer.Option(None, "--year", help="Year of the headline numbers (default: the last year)."),
    out: Path = typer.Option(Path("reports/brief"), "--out", help="Output folder."),
    workers: int = EVERY_CORE_OPTION,
    targets: Path = typer.Option(DEFAULT_TARGETS, "--targets",
                                 help="Published figures to check the base against."),
    force: bool = FORCE_OPTION,
    scheduler: str = SCHEDULER_OPTION,
    in_flight: int = IN_FLIGHT_OPTION,
    uncertainty: str = UNCERTAINTY_OPTION,
    precision: float = PRECISION_OPTION,
    max_reps: int = MAX_REPS_OPTION,
    state: str = STATE_OPTION,
    settle_up_to: int = SETTLE_OPTION,
) -> None:
    """Write the policy brief: brief.html, brief.pdf, charts (PNG, SVG, CSV) and the runs behind them."""
    check_run_size(reps, seed, workers)
    check_posterior_file(uncertainty)
    from sim.experiments.calibration import load_targets
    from sim.experiments.compare import compare_scenarios
    from sim.experiments.settle import settle_ceiling, settling_for
    from sim.files import write_folder
    from sim.report.brief import build_brief, default_scenarios
    from sim.report.brief_tables import SHOWN
    from sim.scenario import loader

    paths = list(scenarios) if scenarios else default_scenarios(state=state)
    loaded = [loader.load(p) for p in paths]
    _check_state(state, loaded)
    year = _check_year(year or loaded[0].years[-1], loaded[0])
    known = load_targets(targets)
    rule = _precision(precision, reps, max_reps, year)
    settle = settle_ceiling(settle_up_to, reps, rule, SETTLE_FACTOR)
    check_writable(out, force, inputs_of(loaded, targets))
    total = (rule.ceiling if rule else settle) * len(loaded)
    say_overrides(loaded)
    with executor_for(scheduler) as executor:
        comparison = with_progress(f"brief: {len(loaded)} scenarios", total, lambda done: (
            compare_scenarios(loaded[0], loaded[1:], reps, seed, workers=workers, executor=executor,
                              on_done=lambda _s, i: done(i), uncertainty=uncertainty, precision=rule,
                              in_flight=in_flight,
                              settling=settling_for([c.metric for c in SHOWN], year, settle, state))))
    first = reps if rule is None else comparison.base.replications
    command = (f"ringsim brief {' '.join(shlex.quote(str(p)) for p in paths)} --reps {first} "
               + (f"--settle-up-to {settle} " if rule is None else "") + f"--seed {seed} "
               f"--year {year} --uncertainty {comparison.base.uncertainty}" + (f" --state {state}" if state else ""))
    files = build_brief(comparison, year, known, command, targets_file=targets, state=state)
    write_folder(out, files, force, inputs_of(loaded, targets))
    if comparison.variants:
        out_console.print(change_table(comparison.in_state(state) if state else comparison, period=year))
    _say_precision(comparison.base.precision)
    out_console.print(f"wrote {out}/brief.html, {out}/brief.pdf, {out}/charts/ (PNG, SVG, CSV) and {out}/runs/")


@app.command()
def calibrate(
    scenario: Path = typer.Argument(library_path("timeline.toml"), help="Scenario to check."),
    reps: int = typer.Option(200, "--reps", help="Replications."),
    seed: int = SEED_OPTION,
    targets: Path = typer.Option(DEFAULT_TARGETS, "--targets",
                                 help="Published figures, with tolerances."),
    out: Path = typer.Option(None, "--out", help="Output folder (default reports/calibrate-<scenario>)."),
    workers: int = EVERY_CORE_OPTION,
    force: bool = FORCE_OPTION,
    scheduler: str = SCHEDULER_OPTION,
    in_flight: int = IN_FLIGHT_OPTION,
    uncertainty: str = UNCERTAINTY_OPTION,
    cross_validate: bool = typer.Option(False, "--cross-validate",
                                        help="Also leave each target out, condition on the rest, and predict it."),
) -> None:
    """Simulated beside published figures; exit status 1 if any target fails.

    With the posterior (the default where one exists) a target passes when the published
    figure lies inside the posterior predictive 90% range, and the posterior's diagnostics
    are drawn; with --uncertainty none, when the mean lies within the target's tolerance.
    """
    check_run_size(reps, seed, workers)
    check_posterior_file(uncertainty)
    from sim.experiments.calibration import applicable, load_targets, score
    from sim.files import write_folder
    from sim.report import charts
    from sim.report.brief_charts import source_line
    from sim.report.output import run_files
    from sim.scenario import loader

    known = load_targets(targets)
    loaded = loader.load(scenario)
    out = out or Path("reports") / f"calibrate-{loaded.name}"
    check_writable(out, force, inputs_of([loaded], targets))
    say_overrides([loaded])
    with executor_for(scheduler) as executor:
        result = with_progress(f"calibrate {loaded.name}", reps, lambda done: simulate(
            loaded, reps, seed, workers=workers, executor=executor, on_done=done, uncertainty=uncertainty,
            in_flight=in_flight))
    if not applicable(known, result):
        raise UsageError(f"{scenario}: no target in {targets} falls inside its years")
    rows = score(known, result)
    chart = charts.calibration(rows, source_line([result]) + f"; targets: {targets}")
    command = (f"ringsim calibrate {shlex.quote(str(scenario))} --reps {reps} --seed {seed} "
               f"--uncertainty {result.uncertainty}" + (" --cross-validate" if cross_validate else ""))
    files = {"calibration.csv": chart.csv, "calibration.png": chart.png, "calibration.svg": chart.svg,
             **run_files(result, command, prefix="run/")}
    posterior = result.draws.posterior
    validated = []
    if posterior is not None:
        files.update(_posterior_diagnostics(result, posterior))
    if cross_validate:
        validated = _cross_validation(posterior, targets)
        files.update(validated[1])
    write_folder(out, files, force, inputs_of([loaded], targets))
    out_console.print(calibration_table(rows, result))
    if validated:
        out_console.print(cross_validation_table(validated[0]))
    failed = [r["id"] for r in rows if not r["passed"]]
    if posterior is not None:
        out_console.print("diagnostics: posterior_vs_prior.png and posterior_pairs.png (what the figures taught)")
    out_console.print(f"{len(rows) - len(failed)} of {len(rows)} targets pass; wrote {out}/calibration.csv, "
                      f"calibration.png, calibration.svg and run/")
    if failed:
        raise typer.Exit(1)


def _posterior_diagnostics(result, posterior) -> dict:
    from sim.report import posterior_charts
    from sim.scenario.unknowns import unknowns

    line = f"{posterior.path} (sha256 {posterior.sha256[:12]}), {len(posterior.draws)} draws"
    made = [posterior_charts.prior_posterior(unknowns(result.loaded), posterior, line),
            posterior_charts.pairs(posterior, line)]
    return {name.removeprefix("charts/"): content for chart in made for name, content in chart.files().items()}


def _cross_validation(posterior, targets) -> tuple[list[dict], dict]:
    """Leave-one-target-out predictions, and their chart and CSV."""
    from sim.experiments.posterior_build import cross_validate
    from sim.report import posterior_charts

    if posterior is None:
        raise UsageError("--cross-validate needs a posterior: build one with `ringsim posterior`")
    rows = cross_validate(Path(posterior.path), targets)
    chart = posterior_charts.cross_validation(rows, f"{posterior.path}; targets: {targets}")
    return rows, {name.removeprefix("charts/"): content for name, content in chart.files().items()}
