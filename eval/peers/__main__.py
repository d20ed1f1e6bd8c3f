"""`python -m eval.peers`: ipqa's retrieval and txtai's, side by side (eval/peers/compare.py)."""

import sys

from eval.peers.compare import main

if __name__ == "__main__":
    sys.exit(main())
