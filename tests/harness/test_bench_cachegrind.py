"""benchmarks/cachegrind.py: the deterministic cost that bench_stateful.py --cachegrind reports
(the same counts on every run of the same command, whatever the machine is doing)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "bench_cachegrind", Path(__file__).resolve().parents[2] / "benchmarks" / "cachegrind.py"
)
assert _spec is not None and _spec.loader is not None
cachegrind = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = cachegrind  # (dataclasses look their module up)
_spec.loader.exec_module(cachegrind)

SUMMARY = """\
==123== I   refs:      5,096,271,766
==123== I1  misses:       63,553,045
==123== LLi misses:           27,648
==123== D   refs:      2,225,253,364  (1,506,544,673 rd   + 718,708,691 wr)
==123== D1  misses:       48,394,562  (   43,059,938 rd   +   5,334,624 wr)
==123== LLd misses:        1,071,753  (      113,434 rd   +     958,319 wr)
==123== LL misses:         1,099,401  (      141,082 rd   +     958,319 wr)
"""


def test_parse_reads_the_totals_and_folds_them_into_one_cost() -> None:
    c = cachegrind.parse(SUMMARY)
    assert c == cachegrind.Counts(5_096_271_766, 63_553_045 + 48_394_562, 1_099_401)
    assert c.cost == 5_096_271_766 + 12 * (63_553_045 + 48_394_562) + 100 * 1_099_401
    assert (c - cachegrind.Counts(96_271_766, 0, 99_401)).instructions == 5_000_000_000


def test_parse_names_what_is_missing() -> None:
    with pytest.raises(ValueError, match="no 'I1\\\\s\\+misses' total"):
        cachegrind.parse("==1== I   refs:      10\n")


@pytest.mark.skipif(cachegrind.missing() is not None, reason=str(cachegrind.missing()))
def test_a_command_costs_the_same_on_every_run_and_more_work_costs_more() -> None:
    def cost(n: int) -> cachegrind.Counts:
        counts, out = cachegrind.run([sys.executable, "-S", "-c", f"print(sum(i * i for i in range({n})))"])
        assert out.strip() == str(sum(i * i for i in range(n)))
        return counts

    small, again, big = cost(1000), cost(1000), cost(200_000)
    assert small.instructions > 1_000_000  # (an interpreter's start-up)
    # the same command, the same instructions (misses can differ by a few, with ASLR)
    assert abs(small.instructions - again.instructions) < small.instructions // 1000
    assert big.instructions - small.instructions > 10 * 199_000  # ~tens of instructions a loop step
    assert big.cost > big.instructions


@pytest.mark.skipif(cachegrind.missing() is not None, reason=str(cachegrind.missing()))
def test_a_failing_command_raises_with_its_output() -> None:
    with pytest.raises(RuntimeError, match="exit 3"):
        cachegrind.run([sys.executable, "-S", "-c", "import sys; print('boom'); sys.exit(3)"])
