"""The pretrained encoder is the real EfficientNet-Lite0 with its ImageNet weights."""

import cv2
import numpy as np
import torch
from skimage import data

from vidcolor.models.efficientnet_lite0 import load_pretrained, normalize

ESPRESSO = 967


def test_strict_load_classifies_coffee_as_espresso():
    net = load_pretrained().eval()
    img = cv2.resize(data.coffee(), (224, 224), interpolation=cv2.INTER_AREA)
    x = normalize(torch.from_numpy(img).permute(2, 0, 1)[None].float())
    with torch.no_grad():
        probs = net(x).softmax(1)[0]
    assert int(probs.argmax()) == ESPRESSO
    assert float(probs[ESPRESSO]) > 0.5


def test_features_have_the_five_strides():
    net = load_pretrained(classifier=False).eval()
    with torch.no_grad():
        taps = net.features(torch.zeros(1, 3, 96, 160))
    assert [t.shape[-1] for t in taps] == [80, 40, 20, 10, 5]
    assert [t.shape[1] for t in taps] == [16, 24, 40, 112, 320]
    assert all(np.isfinite(t.numpy()).all() for t in taps)
