"""Weight files describe themselves and refuse to load when damaged."""

import copy

import pytest
import torch

from vidcolor import load_model
from vidcolor.errors import VidcolorError
from vidcolor.models import zoo
from vidcolor.models.checkpoint import blend_states, read_checkpoint, save_weights


@pytest.fixture(scope="module")
def small_model():
    return zoo.build_model("effunet", pretrained=False)


def test_saved_weights_describe_and_rebuild_their_model(tmp_path, small_model):
    path = tmp_path / "w.pt"
    save_weights(path, small_model, "effunet", {"head": "cls"}, {"data": "test", "command": "pytest"})
    ckpt = read_checkpoint(path)
    assert ckpt["arch"] == "effunet" and ckpt["meta"]["data"] == "test" and len(ckpt["sha256"]) == 64
    loaded = load_model(weights=path, device="cpu")
    assert loaded.info.weights_path == path and loaded.info.meta["command"] == "pytest"
    for k, v in small_model.state_dict().items():
        assert torch.allclose(loaded.net.state_dict()[k].float(), v.float(), atol=1e-2, rtol=1e-3), k


def test_saved_weights_carry_a_film_decoding_when_given_one(tmp_path, small_model):
    save_weights(tmp_path / "plain.pt", small_model, "effunet", {"head": "cls"}, {})
    save_weights(tmp_path / "film.pt", small_model, "effunet", {"head": "cls"}, {},
                 film_decoding={"temperature": 2.0, "confidence_gate": 0.5})
    assert "film_decoding" not in read_checkpoint(tmp_path / "plain.pt")
    film = load_model(weights=tmp_path / "film.pt", device="cpu").info.film_decoding
    assert (film.temperature, film.confidence_gate, film.cast_removal) == (2.0, 0.5, None)


def test_damaged_weights_are_refused(tmp_path, small_model):
    path = tmp_path / "w.pt"
    save_weights(path, small_model, "effunet", {}, {})
    raw = bytearray(path.read_bytes())
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(VidcolorError, match="corrupt"):
        read_checkpoint(truncated)
    ckpt = torch.load(path, weights_only=True)
    next(iter(ckpt["state_dict"].values())).view(-1)[0] += 1
    tampered = tmp_path / "tampered.pt"
    torch.save(ckpt, tampered)
    with pytest.raises(VidcolorError, match="sha256"):
        read_checkpoint(tampered)


def test_shipped_weights_are_small_and_described():
    path = zoo.shipped_dir() / zoo.MODELS[zoo.DEFAULT_MODEL].weights
    assert path.stat().st_size <= 25 * 2**20
    meta = read_checkpoint(path)["meta"]
    assert meta["steps"] > 0 and meta["data"] and "train_config" in meta


def test_a_blend_lies_between_its_two_files_and_refuses_other_architectures(tmp_path, small_model):
    other = copy.deepcopy(small_model)
    with torch.no_grad():
        for p in other.parameters():
            p.add_(1.0)
    for name, net in (("a.pt", small_model), ("b.pt", other)):
        save_weights(tmp_path / name, net, "effunet", {}, {}, half=False)
    a, b = read_checkpoint(tmp_path / "a.pt"), read_checkpoint(tmp_path / "b.pt")
    assert all(torch.equal(v, a["state_dict"][k]) for k, v in blend_states(a, b, 0.0).items())
    half = blend_states(a, b, 0.5)
    key = next(name for name, _ in other.named_parameters())
    assert torch.allclose(half[key], (a["state_dict"][key] + b["state_dict"][key]) / 2)
    assert torch.allclose(half[key], a["state_dict"][key] + 0.5)  # B is A + 1 in every parameter
    save_weights(tmp_path / "c.pt", zoo.build_model("colornet", pretrained=False), "colornet", {}, {})
    with pytest.raises(VidcolorError, match="not the same tensors"):
        blend_states(a, read_checkpoint(tmp_path / "c.pt"), 0.5)
    with pytest.raises(VidcolorError, match=r"within 0\.\.1"):
        blend_states(a, b, 1.5)
