"""Which producer plays a channel: the normalising encoder, or stream copy for a copy profile."""

from __future__ import annotations

from collections.abc import Callable

from retrovue.clock import Clock
from retrovue.runtime.copyout import CopyOutput
from retrovue.runtime.copyproducer import CopyProducer
from retrovue.runtime.operation import ChannelOperation
from retrovue.runtime.output import TsOutput
from retrovue.runtime.producer import ChannelInfo, Producer, ProducerHooks, ProducerOptions
from retrovue.runtime.profiles import CopyProfile
from retrovue.runtime.timeline import Timeline


def make_producer(
    channel: ChannelInfo,
    timeline: Timeline,
    clock: Clock,
    publish: Callable[[bytes], None],
    *,
    options: ProducerOptions | None = None,
    on_exit: Callable[[BaseException | None], None] | None = None,
    hooks: ProducerHooks | None = None,
    operation: ChannelOperation | None = None,
    output: TsOutput | CopyOutput | None = None,
) -> Producer:
    """A producer for ``channel`` (same arguments as :class:`Producer`). ``output`` is the
    previous producer's, handed back on a restart so the stream continues."""
    if isinstance(channel.profile, CopyProfile):
        return CopyProducer(
            channel, timeline, clock, publish,
            options=options, on_exit=on_exit, hooks=hooks, operation=operation, output=output,
        )  # fmt: skip
    return Producer(
        channel, timeline, clock, publish,
        options=options, on_exit=on_exit, hooks=hooks, operation=operation,
        output=output if isinstance(output, TsOutput) else None,
    )  # fmt: skip
