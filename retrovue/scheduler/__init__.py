"""RetroVue scheduler package."""
