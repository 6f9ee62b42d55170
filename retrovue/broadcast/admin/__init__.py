"""The admin write path: the only writers of channels, templates, blocks and schedule assignments.

Each public function here is one command's unit of work (``database.transaction(immediate=True)``):
it validates everything first, writes, and commits once; any error leaves nothing written. The
scheduler and the runtime may not import this package (import-linter).
"""
