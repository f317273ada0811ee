"""The shipped weights, installed as package data (``vidcolor.weights``): found with importlib.resources."""
