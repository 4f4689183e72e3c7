"""Floor 4, the dialogue manager: routes each turn to the skills it was given at start-up.
Imports no feature package."""
