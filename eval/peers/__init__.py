"""A peer comparison: ipqa's retrieval beside txtai's over the same passages with the same model.

`python -m eval.peers` (or `make peers`) prints hit@1, hit@5 and MRR@10 for each of the eval's
four sets. txtai is an optional extra (`pip install -e '.[peers]'`); the scoring in score.py
needs none of it.
"""

INSTALL = "pip install -e '.[peers]'"
