"""The seed papers' colorizers, each a module; the zoo (``vidcolor.zoo``) names them.

Every network takes gray (B, 1, H, W) in 0..255 (H, W multiples of 8) and
returns a raw output that its ``decode_ab`` turns into Lab ab at some stride
of the input; inference upsamples that ab and puts it on the full-resolution
luminance, so all of them plug into the same video pipeline.
"""
