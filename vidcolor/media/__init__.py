"""Media in and out: probing, streaming decode, H.264 encode in segments, remux, containers,
still images, color math and film-like degradation. No model and no torch here.
"""
