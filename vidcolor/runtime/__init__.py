"""How the process runs: devices, CPU threads, memory allocation and progress display.

The lowest layer: nothing here knows about films or models.
"""
