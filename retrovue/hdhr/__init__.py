"""RetroVue hdhr package."""
