"""The demo station: a generated library, promoted, with channels, templates and schedules."""
