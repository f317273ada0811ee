"""Records: what makes a finished output up to date, and what does not."""

from __future__ import annotations

import os

import pytest

from vidcolor import Execution, InferenceConfig, Recipe, load_model
from vidcolor.errors import VidcolorError
from vidcolor.models.checkpoint import atomic_save, read_checkpoint
from vidcolor.pipeline.records import fingerprint, is_done, run_key, up_to_date, write_sidecar


def test_fingerprint_sees_a_changed_input(tmp_path):
    path = tmp_path / "in.bin"
    path.write_bytes(b"a" * 5000)
    first = fingerprint(path)
    assert fingerprint(path) == first
    path.write_bytes(b"b" * 5000)
    assert fingerprint(path)["sha256_ends"] != first["sha256_ends"]


def test_the_key_holds_the_recipe_never_the_execution(tmp_path, model):
    src = tmp_path / "in.bin"
    src.write_bytes(b"x")
    key = run_key(src, model, Recipe().as_dict())
    assert run_key(src, model, Recipe().as_dict()) == key
    assert "device" not in str(key) and "workers" not in str(key)
    assert Execution(workers=3, jit=False).as_dict()["workers"] == 3  # the execution lives elsewhere
    other = Recipe(inference=InferenceConfig(render_size=96)).as_dict()
    assert run_key(src, model, other) != key


def test_the_key_holds_the_weights_own_decoding(tmp_path, model):
    src = tmp_path / "in.bin"
    src.write_bytes(b"x")
    ckpt = read_checkpoint(model.info.weights_path)
    ckpt["config"]["cast_removal"] = 0.9
    atomic_save(ckpt, tmp_path / "redecoded.pt")
    other = load_model(weights=tmp_path / "redecoded.pt", device="cpu")
    assert other.digest == model.digest, "the same tensors"
    assert run_key(src, other, Recipe().as_dict()) != run_key(src, model, Recipe().as_dict())


def test_an_output_is_done_only_with_its_key_and_size(tmp_path, model):
    src, out = tmp_path / "in.bin", tmp_path / "out.mp4"
    src.write_bytes(b"x")
    out.write_bytes(b"result")
    key = run_key(src, model, Recipe().as_dict())
    write_sidecar(out, key, {})
    assert is_done(out, key) and up_to_date(src, out, key, overwrite=False)
    assert not is_done(out, run_key(src, model, Recipe(segment_seconds=5).as_dict()))
    out.write_bytes(b"result, then changed")
    assert not is_done(out, key)


def test_a_file_vidcolor_did_not_make_is_not_replaced(tmp_path, model):
    src, out = tmp_path / "in.bin", tmp_path / "out.mp4"
    src.write_bytes(b"x")
    out.write_bytes(b"someone else's")
    with pytest.raises(VidcolorError, match="exists"):
        up_to_date(src, out, run_key(src, model, Recipe().as_dict()), overwrite=False)
    assert out.read_bytes() == b"someone else's" and os.path.exists(out)
