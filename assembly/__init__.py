"""Floor 6, the composition root: builds the features, fills the `core.ports` protocols,
registers the skills, starts and stops one process's runtime."""
