"""Quantized ab: encoding, annealed-mean decoding, rebalancing."""

import numpy as np
import pytest
import torch

from vidcolor.media.color import rgb_to_lab
from vidcolor.models import ab_bins

# Half a cell, plus the half unit of the integer lookup grid.
QUANTIZATION_ERROR = ab_bins.GRID / 2 + 0.5


def real_ab(n: int = 4000, seed: int = 0) -> torch.Tensor:
    rgb = np.random.default_rng(seed).integers(0, 256, (1, n, 3), dtype=np.uint8)
    ab = rgb_to_lab(rgb)[0, :, 1:]
    return torch.from_numpy(ab.T.copy()).reshape(1, 2, n, 1)


def test_every_in_gamut_color_is_within_a_cell_of_a_bin():
    ab = real_ab()
    idx = ab_bins.nearest_bin(ab)
    centers = torch.from_numpy(ab_bins.AB_BINS)[idx[0, :, 0]]
    err = (centers - ab[0, :, :, 0].T).abs()
    assert float(err.max()) <= QUANTIZATION_ERROR


def test_one_hot_round_trip_within_quantization_error():
    ab = real_ab()
    logits = torch.full((1, ab_bins.NUM_BINS, ab.shape[2], 1), -20.0)
    logits.scatter_(1, ab_bins.nearest_bin(ab)[:, None], 20.0)
    decoded = ab_bins.annealed_mean(logits, 0.38)
    assert float((decoded - ab).abs().max()) <= QUANTIZATION_ERROR


def test_soft_encoding_is_a_distribution_centred_on_the_nearest_bin():
    ab = real_ab(500)
    idx, w = ab_bins.soft_encode(ab)
    assert idx.shape[1] == ab_bins.SOFT_NEIGHBOURS
    assert torch.allclose(w.sum(1), torch.ones(1))
    assert (w[:, 0] >= w[:, 1:].max(1).values - 1e-6).all()
    assert (idx[:, 0] == ab_bins.nearest_bin(ab)).all()


def test_annealed_mean_interpolates_between_mean_and_mode():
    logits = torch.zeros(1, ab_bins.NUM_BINS, 1, 1)
    far, near = 0, ab_bins.NUM_BINS // 2
    logits[0, far], logits[0, near] = 2.0, 2.5
    bins = torch.from_numpy(ab_bins.AB_BINS)
    hot = ab_bins.annealed_mean(logits, 0.01)[0, :, 0, 0]
    warm = ab_bins.annealed_mean(logits, 1.0)[0, :, 0, 0]
    assert torch.allclose(hot, bins[near], atol=1e-3)
    assert float((warm - bins[near]).norm()) > 1.0


def test_rebalancing_weights_average_one_and_favour_rare_colors():
    ab = real_ab(20000).reshape(2, -1).T.numpy() * 0.3  # mostly near-gray colors
    prior = ab_bins.empirical_prior(ab)
    w = ab_bins.rebalance_weights(prior, 0.5)
    assert abs(float((prior * w).sum()) - 1.0) < 1e-4
    assert w[prior.argmin()] > w[prior.argmax()] * 5


def two_modes(red_share: float) -> torch.Tensor:
    """Logits of one pixel torn between a red cell (60, 40) with its two neighbours and a blue one (10, -50)."""
    bins = [tuple(b) for b in ab_bins.AB_BINS.tolist()]
    p = torch.full((ab_bins.NUM_BINS,), 1e-9)
    for ab, share in (((60, 40), red_share / 2), ((50, 40), red_share / 4), ((70, 40), red_share / 4),
                      ((10, -50), 1 - red_share)):
        p[bins.index(ab)] = share
    return p.log().reshape(1, -1, 1, 1)


def test_dominant_mode_keeps_the_stronger_color_where_the_mean_mixes_both():
    logits = two_modes(0.6)  # the single most likely cell is blue (0.4), the most likely color red (0.6)
    mixed = ab_bins.decode_logits(logits, 1.0)[0, :, 0, 0]
    mode = ab_bins.decode_logits(logits, 1.0, mode_radius=25)[0, :, 0, 0]
    assert mixed.tolist() == pytest.approx([0.6 * 60 + 0.4 * 10, 0.6 * 40 + 0.4 * -50], abs=0.1)
    assert mode.tolist() == pytest.approx([60, 40], abs=0.1)  # the red cells' own mean, at their saturation
    assert ab_bins.decode_logits(two_modes(0.3), 1.0, mode_radius=25)[0, :, 0, 0].tolist() == \
        pytest.approx([10, -50], abs=0.1)
    # a radius wider than the gamut is the annealed mean again
    assert torch.allclose(ab_bins.decode_logits(logits, 0.7, mode_radius=500), ab_bins.decode_logits(logits, 0.7),
                          atol=1e-3)


def one_pixel(shares: dict[tuple[int, int], float]) -> torch.Tensor:
    """Logits of one pixel whose distribution puts these shares on these ab cells."""
    bins = [tuple(b) for b in ab_bins.AB_BINS.tolist()]
    p = torch.full((ab_bins.NUM_BINS,), 1e-9)
    for ab, share in shares.items():
        p[bins.index(ab)] = share
    return p.log().reshape(1, -1, 1, 1)


def test_chroma_restoration_gives_a_split_hue_bet_its_expected_chroma_and_leaves_a_sure_color():
    torn = one_pixel({(50, 0): 0.5, (0, 50): 0.5})  # red or yellow, both at chroma 50
    mean = ab_bins.decode_logits(torn, 1.0)[0, :, 0, 0]
    assert mean.tolist() == pytest.approx([25, 25], abs=0.01)  # chroma 35.4: paler than either bet
    full = ab_bins.decode_logits(torn, 1.0, restore=1.0)[0, :, 0, 0]
    assert full.tolist() == pytest.approx([50 / 2**0.5] * 2, abs=0.01)  # chroma 50, hue 45° kept
    half = ab_bins.decode_logits(torn, 1.0, restore=0.5)[0, :, 0, 0]
    assert half.tolist() == pytest.approx([25 * 2**0.25] * 2, abs=0.01)  # × √(50 / 35.4)
    sure = one_pixel({(40, -30): 1.0})
    assert torch.allclose(ab_bins.decode_logits(sure, 1.0, restore=1.0), ab_bins.decode_logits(sure, 1.0),
                          atol=1e-3)
    opposite = one_pixel({(50, 0): 0.5, (-50, 0): 0.5})  # no hue at all: the ratio is capped
    assert float(ab_bins.decode_logits(opposite, 1.0, restore=1.0).norm()) < 1e-2
    with pytest.raises(ValueError, match="mode_radius"):
        ab_bins.decode_logits(torn, 1.0, mode_radius=25, restore=0.5)


def test_undoing_the_rebalancing_returns_the_belief_a_rebalanced_network_was_skewed_from():
    """A network trained with class weights w believes p × w; taking log w from its logits gives p back, whose
    mean is the plain guess, while the skewed belief's mean is more colorful (rare colors up-weighted)."""
    ab = real_ab(20000).reshape(2, -1).T.numpy() * 0.3  # mostly near-gray colors
    prior = torch.from_numpy(ab_bins.empirical_prior(ab)).double()
    log_w = torch.from_numpy(ab_bins.rebalance_weights(prior.numpy(), 0.5)).double().log()
    skewed = (prior.log() + log_w).reshape(1, -1, 1, 1)
    undone = ab_bins.decode_logits(skewed, 1.0, shift=log_w)[0, :, 0, 0]
    plain = ab_bins.mean_ab(prior.reshape(1, -1, 1, 1))[0, :, 0, 0]
    assert torch.allclose(undone, plain, atol=1e-6)
    assert float(ab_bins.decode_logits(skewed, 1.0)[0, :, 0, 0].norm()) > float(plain.norm()) + 1.0


def test_the_gate_reads_the_networks_own_confidence_when_the_rebalancing_is_undone():
    logits = two_modes(0.6).double()
    shift = torch.linspace(-1.0, 1.0, ab_bins.NUM_BINS, dtype=torch.float64)
    gated = ab_bins.decode_logits(logits, 1.0, gate=0.99, shift=shift)
    by_hand = ab_bins.annealed_mean(logits - shift[None, :, None, None], 1.0) * ab_bins.confidence(logits) / 0.99
    assert torch.allclose(gated, by_hand)
    assert not torch.allclose(ab_bins.confidence(logits - shift[None, :, None, None]), ab_bins.confidence(logits))
