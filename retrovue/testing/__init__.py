"""RetroVue testing package."""
