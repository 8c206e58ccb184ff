#!/bin/sh
# Smoke test placeholder: replaced by the integration suite.
xl create /vos/lab/xen/guests/sleeper.cfg && xl list && sleep 5 && xl destroy vos-sleeper && xl list
