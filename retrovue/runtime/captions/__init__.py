"""CEA-608 captions in the encoded pictures: the 608 encoder, the A/53 SEI, cue loading."""
