"""Helpers the tests share: real processes on loopback ports, bounded waits."""
