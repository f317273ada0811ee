"""The networks: architectures, the zoo of named models with their weights, self-describing
checkpoints, and the ``Colorizer`` that owns a prepared network.
"""
