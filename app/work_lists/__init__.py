"""Staff work lists: a provider's actions across plans, a coordinator's plans (issue #6)."""
