"""The mock server: app factory, CLI, settings, admin API, runner, core and vendors."""
