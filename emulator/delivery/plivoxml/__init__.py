"""Plivo XML: answer documents parsed (with the line of every element), their verbs checked, and
run against a call on the emulated clock."""
