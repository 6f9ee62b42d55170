"""The playout core: what airs at each output instant, decided without PyAV.

:class:`~retrovue.runtime.playout.core.Playout` runs one channel's loop: which timeline item
covers the next output instant, the file opened ahead of its boundary, the play-time gate and its
re-check at the boundary, as-run start and finish, director modes, the one early-end rule and
pacing. An :class:`~retrovue.runtime.playout.engine.Engine` turns those decisions into bytes: the
normalising encoder (``runtime.encode``) or stream copy (``runtime.copy``).
"""
