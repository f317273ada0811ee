"""Archives on a real local Ray cluster (several nodes on this machine, all on loopback): files and
ranges of a long film as tasks, bad files reported, a node lost mid-run costing nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from media import make_video, video_facts

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # every node and the driver on 127.0.0.1 (before Ray loads)
ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

FAST = ["--render-size", "48", "--preset", "ultrafast", "--quiet"]


def vidcolor(*args, timeout: float = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0")
    return subprocess.run([sys.executable, "-m", "vidcolor", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture
def cluster():
    """A head and a worker node, 2 CPUs each."""
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 2})
    worker = c.add_node(num_cpus=2)
    c.wait_for_nodes()
    assert c.address.startswith("127.0.0.1:")
    yield c, worker
    c.shutdown()


def same_film(a: Path, b: Path) -> bool:
    fa, fb = video_facts(a), video_facts(b)
    return fa["times"] == fb["times"] and fa["audio"] == fb["audio"] and len(fa["luma"]) == len(fb["luma"])


def test_a_folder_and_a_long_film_on_two_nodes(tmp_path, cluster):
    c, _ = cluster
    root = tmp_path / "archive"
    (root / "sub").mkdir(parents=True)
    make_video(root / "a.mp4", frames=10)
    make_video(root / "sub" / "b.mkv", frames=8, audio_codec="libopus")
    make_video(root / "c.mp4", frames=6, audio=False)
    make_video(root / "long.mp4", frames=96, rate=12)  # 8 s: 4 segments of 2 s
    (root / "bad.mp4").write_bytes(b"not a film " * 40)
    out, report = tmp_path / "out", tmp_path / "r.json"
    proc = vidcolor("run", root, "-o", out, "--ray", c.address, "--segment-seconds", "2", "--report", report, *FAST)
    assert proc.returncode == 1, proc.stderr  # one bad file
    assert "Traceback" not in proc.stderr and "bad.mp4: not a media file" in proc.stderr
    files = {Path(f["input"]).name: f for f in json.loads(report.read_text())["files"]}
    assert {n: f["status"] for n, f in files.items()} == {"a.mp4": "done", "b.mkv": "done", "c.mp4": "done",
                                                          "long.mp4": "done", "bad.mp4": "failed"}
    assert files["long.mp4"]["tasks"] >= 2 and files["long.mp4"]["frames"] == 96
    assert files["long.mp4"]["nodes"], "the report names the nodes"
    for rel in ("a.mp4", "sub/b.mkv", "c.mp4", "long.mp4"):
        local = tmp_path / "local" / rel
        assert vidcolor("run", root / rel, "-o", local, "--segment-seconds", "2", *FAST).returncode == 0
        assert same_film(out / rel, local), rel
    assert list(out.rglob("*partial*")) == [] and list(out.rglob("*vidcolor-work*")) == []
    again = vidcolor("run", root, "-o", out, "--ray", c.address, "--segment-seconds", "2", *FAST)
    assert "4 skipped" in again.stderr + again.stdout, "up-to-date outputs are skipped, as locally"


def test_a_node_lost_mid_run_costs_nothing(tmp_path, cluster):
    c, worker = cluster
    src = make_video(tmp_path / "film.mp4", frames=240, rate=12)  # 20 s: 10 segments of 2 s
    out, report = tmp_path / "out.mp4", tmp_path / "r.json"
    work = tmp_path / ".out.mp4.vidcolor-work"
    env = dict(os.environ, RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0")
    proc = subprocess.Popen([sys.executable, "-m", "vidcolor", "run", str(src), "-o", str(out), "--ray", c.address,
                             "--segment-seconds", "2", "--report", str(report), *FAST], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while not list(work.glob("seg-*.mp4")):  # the first segment is finished: work is under way on both nodes
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline
        time.sleep(0.2)
    c.remove_node(worker)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    entry = json.loads(report.read_text())["files"][0]
    assert entry["status"] == "done" and entry["frames"] == 240 and entry["tasks"] >= 2
    local = tmp_path / "local.mp4"
    assert vidcolor("run", src, "-o", local, "--segment-seconds", "2", *FAST).returncode == 0
    assert same_film(out, local)
    assert not work.exists() and list(tmp_path.glob(".*partial*")) == []
