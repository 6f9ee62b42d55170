"""RetroVue: linear broadcast TV channels from a personal media library, as an HDHomeRun tuner."""

__version__ = "0.1.0"
