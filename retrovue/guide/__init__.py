"""RetroVue guide package."""
