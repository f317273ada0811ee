"""Measuring colorization against color ground truth: photo and video metrics, the eval runs on
folders and clips (clean or film-like), and the tables they print. Reporting only: choices are made
on the training data's validation split.
"""
