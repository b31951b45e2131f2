import sys
from pathlib import Path

# the Brian2 peer lives beside the tests (also used by bench/bench_snn.py)
sys.path.insert(0, str(Path(__file__).parent))
