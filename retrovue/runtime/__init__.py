"""RetroVue runtime package."""
