"""The v1 schema of both domains. Import from here."""

from retrovue.db.models.base import Base
from retrovue.db.models.broadcast import (
    AsRun,
    CatalogAsset,
    Channel,
    DirectorRequest,
    PlaylogEvent,
    ScheduleDay,
    SequenceCursor,
    StationSetting,
    Template,
    TemplateBlock,
)
from retrovue.db.models.library import LibraryAsset, Marker, PathMapping, Source

__all__ = [
    "AsRun",
    "Base",
    "CatalogAsset",
    "Channel",
    "DirectorRequest",
    "LibraryAsset",
    "Marker",
    "PathMapping",
    "PlaylogEvent",
    "ScheduleDay",
    "SequenceCursor",
    "Source",
    "StationSetting",
    "Template",
    "TemplateBlock",
]
