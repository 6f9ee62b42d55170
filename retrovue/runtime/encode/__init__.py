"""The normalising engine: files decoded, fitted to the channel's profile and encoded once per
session (one H.264 and one AAC encoder, one muxer) into the channel's MPEG-TS."""
