"""RetroVue library package."""
