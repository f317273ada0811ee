"""glibc malloc tuning: the network's buffers stop being page-faulted in again on every batch."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHILD = """
import resource, sys, torch
from vidcolor import load_model
from vidcolor.runtime.malloc import keep_freed_memory
tuned = keep_freed_memory() if sys.argv[1] == "tuned" else False
torch.set_num_threads(1)
model = load_model(device="cpu")
x = torch.rand(4, 1, 160, 288) * 255
for _ in range(3):
    model.predict_ab(x)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    model.predict_ab(x)
print(tuned, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""


def faults_per_batch(mode: str) -> tuple[bool, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, check=True).stdout
    tuned, faults = out.split()
    return tuned == "True", float(faults)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_tuned_malloc_reuses_the_networks_buffers():
    tuned, with_tuning = faults_per_batch("tuned")
    _, without = faults_per_batch("default")
    assert tuned
    assert with_tuning < without / 4, (with_tuning, without)
