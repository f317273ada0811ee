"""Training the colorizers on folders of color photos."""
