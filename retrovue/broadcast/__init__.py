"""RetroVue broadcast package."""
