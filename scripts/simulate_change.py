"""Run the change-verdict simulation with many quarters and print the two rates.

    .venv/bin/python scripts/simulate_change.py [--quarters 20000] [--seed 20240501]

Model and parameters: lc_health/metrics/change_simulation.py (printed below as well).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict

import numpy as np

from lc_health.metrics.change_simulation import Setup, rates, simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarters", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=20240501)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"quarters per run: {args.quarters}, seed {args.seed}")
    print("verdict: Holm-adjusted p < 0.10 and |change| >= 0.3, pairs used from 5 linked people")
    for respondents in (20, 30):
        null = Setup(respondents=respondents)
        shifted = Setup(respondents=respondents, shift=0.8)
        print(f"\nparameters: {asdict(null)} (linked people: {null.linked})")
        false_alarm = 0.0
        power = 0.0
        chunk = 2000
        done = 0
        while done < args.quarters:  # in chunks, to keep memory small
            size = min(chunk, args.quarters - done)
            false_alarm += rates(simulate(rng, size, null), null)[0] * size
            power += rates(simulate(rng, size, shifted), shifted)[1] * size
            done += size
        print(
            f"  false-alarm rate (any factor improved/declined, nothing changed): "
            f"{false_alarm / done:.3f}"
        )
        print(
            f"  power (factor {shifted.shifted_factor + 1} shifted by {shifted.shift} "
            f"found improved): {power / done:.3f}"
        )
    # How the power depends on the occasion noise (the model's least certain parameter).
    print("\nsensitivity, 20 respondents (power for the 0.8 shift, false-alarm rate):")
    for occasion in (0.5, 0.4, 0.35):
        null = Setup(occasion_sd=occasion)
        shifted = Setup(occasion_sd=occasion, shift=0.8)
        size = min(args.quarters, 5000)
        false_alarm = rates(simulate(rng, size, null), null)[0]
        power = rates(simulate(rng, size, shifted), shifted)[1]
        print(f"  occasion sd {occasion}: power {power:.3f}, false alarms {false_alarm:.3f}")


if __name__ == "__main__":
    main()
