"""Fault tests: killed commands, two writers, full disks, read-only folders, server crashes."""
