"""Index advice proven by measurement.

from workbench.advise import advise
advice = advise(wb, "queries/advise/*.sql", scales=(1_000, 20_000))
advice.frame()        # every candidate: recommended or rejected (with the reason), evidence
advice.evidence()     # speed-up with its interval per (candidate, query, scale)
advice.migration()    # CREATE INDEX CONCURRENTLY ... for the recommended set
advice.write("advice/")  # report.md, migration.sql, candidates.csv, evidence.csv

Candidates come from the workload's SQL (pglast) where its plan shows a need,
are pruned by the planner's estimate (HypoPG, or EXPLAIN after a real build),
then built for real on seeded clones at every scale and timed through the
experiment engine (:mod:`workbench.explain`); only indexes whose measured
interval excludes 1.0 are recommended.
"""

from __future__ import annotations

from workbench.advise.advisor import advise
from workbench.advise.candidates import Candidate
from workbench.advise.errors import AdviseError
from workbench.advise.report import Advice

__all__ = ["Advice", "AdviseError", "Candidate", "advise"]
