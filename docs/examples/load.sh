#!/bin/sh
# Loads the example data set of docs/examples into the database that xinjian uses (--db or
# XINJIAN_DB; by default sqlite:xinjian.db in the current folder): two departments of Ningbo,
# five inspectors, two items, and 2,000 generated subjects of Zhejiang (subjects.csv, written
# in the current folder). Departments come first: inspectors and items name theirs.
# Usage: sh docs/examples/load.sh   (with xinjian on PATH)
set -eu
here=$(dirname "$0")
xinjian init
xinjian import departments "$here/departments.csv"
xinjian gen subjects --count 2000 --seed 1 -o subjects.csv
xinjian import subjects subjects.csv
xinjian import inspectors "$here/inspectors.csv"
xinjian import items "$here/items.csv"
