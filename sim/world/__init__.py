"""The SimPy world: population, customer lifecycles, service desk, surveys."""
