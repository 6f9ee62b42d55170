"""A channel's producer: the playout core with the engine its profile needs (stream copy for a
``copy`` profile whose files passed the copy check, else the normalising encoder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from retrovue.clock import Clock
from retrovue.runtime.copy.engine import CopyEngine
from retrovue.runtime.copy.output import CopyOutput
from retrovue.runtime.encode.engine import EncodeEngine
from retrovue.runtime.encode.output import TsOutput
from retrovue.runtime.onair.operation import ChannelOperation
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.core import Playout
from retrovue.runtime.playout.engine import ReusableOutput
from retrovue.runtime.playout.hooks import ItemHooks
from retrovue.runtime.playout.profiles import CopyProfile
from retrovue.runtime.playout.timeline import Timeline
from retrovue.runtime.slates.special import SlatePictures

Producer: TypeAlias = Playout[Any]


def make_producer(
    channel: ChannelInfo,
    timeline: Timeline,
    clock: Clock,
    publish: Callable[[bytes], None],
    *,
    options: ProducerOptions | None = None,
    on_exit: Callable[[BaseException | None], None] | None = None,
    hooks: ItemHooks | None = None,
    operation: ChannelOperation | None = None,
    output: ReusableOutput | None = None,
) -> Producer:
    """A producer for ``channel``; ``start()`` runs it. ``output`` is the previous producer's,
    handed back on a restart so the stream continues (an output of the other kind is ignored).
    ``hooks`` default to the operation's (the as-run log)."""
    profile = channel.profile
    preamble = options is None or options.preamble
    listing = operation.listing if operation is not None else None
    pictures = SlatePictures(channel.name, profile.width, profile.height, clock, listing)
    engine: CopyEngine | EncodeEngine
    if isinstance(profile, CopyProfile):
        reused = output if isinstance(output, CopyOutput) else None
        engine = CopyEngine(channel, publish, pictures, output=reused, preamble=preamble)
    else:
        kept = output if isinstance(output, TsOutput) else None
        engine = EncodeEngine(channel, publish, pictures, output=kept, preamble=preamble)
    return Playout(
        channel, timeline, clock, engine,
        options=options, on_exit=on_exit, hooks=hooks, operation=operation,
    )  # fmt: skip
