"""Queued cases as columns: the draws of the cases that file an emergency form or serve a legal demand.

The queued routes decide their cases in bulk, as numpy arrays, after the event loop has
dated them. `Cases` carries what a case drew when its investigation was created (copied
out of its year's `Batch`, which can then be dropped), plus the columns a route adds
(its filing day, its period, ...), and names each case for the trace.
"""

from __future__ import annotations

import attrs
import numpy as np

from sim.model.investigations import PER_INVESTIGATION


@attrs.define(slots=True)
class Cases:
    """One row per case: column name -> array; `case_id(k)` names row k as its batch does."""

    columns: dict

    @classmethod
    def take(cls, batch, rows: np.ndarray, **added: np.ndarray) -> Cases:
        """Rows `rows` of a year's batch: its per-investigation draws, state and case numbers, plus `added`."""
        columns = {name: batch.column(name, rows) for name in PER_INVESTIGATION}
        columns.update(state=batch.state_array[rows], row=rows, year=np.full(rows.size, batch.year), **added)
        return cls(columns)

    @classmethod
    def join(cls, parts: list[Cases]) -> Cases:
        """The rows of `parts`, in order, with the columns every part has.

        A queue's cases come from several places (a legal demand straight from a batch, or
        after a refused emergency form, which carries the form's columns too); what they
        share is what the queue's route reads.
        """
        shared = [name for name in parts[0].columns if all(name in p.columns for p in parts[1:])]
        return cls({name: np.concatenate([p.columns[name] for p in parts]) for name in shared})

    def pick(self, which: np.ndarray) -> Cases:
        """The rows `which` (indices or a mask), in that order."""
        return Cases({name: values[which] for name, values in self.columns.items()})

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __setitem__(self, name: str, values: np.ndarray) -> None:
        self.columns[name] = values

    def __len__(self) -> int:
        return len(self.columns["row"])

    def case_id(self, k: int) -> str:
        """The case number of row k: year and order of opening (as `Batch.case_id`)."""
        return f"{self.columns['year'][k]}-{int(self.columns['row'][k]) + 1:05d}"
