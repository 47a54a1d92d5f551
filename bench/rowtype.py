"""The row every benchmark module returns."""
from typing import NamedTuple


class Row(NamedTuple):
    name: str     # what was measured
    figure: str   # the measurement, with its unit
    peer: str     # the peer or limit measured in the same run ("-" when none)
    ratio: str    # figure / peer ("-" when none)
