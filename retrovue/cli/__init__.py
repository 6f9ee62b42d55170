"""RetroVue cli package."""
