"""Samplan: individual plans and coordinators for Norwegian municipalities."""
