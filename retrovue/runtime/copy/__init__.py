"""The stream-copy engine: the files' own packets remuxed into the channel's MPEG-TS, for copy
channels whose files share one H.264/AAC setup (``check``); slates encoded at those parameters."""
