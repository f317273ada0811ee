"""From a decoded film to a colorized one: settings (recipe and execution), the threaded stages,
color sources, temporal methods and output writers behind registries, the video, still and preview
runs, and the records that make reruns skip and resume.
"""
