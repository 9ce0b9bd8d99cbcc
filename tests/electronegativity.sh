#!/usr/bin/env bash
# Electronegativity (Doyensec) over the Electron shell and the renderer's HTML: fails on any
# finding of high or critical severity; medium and lower ones are printed for review.
set -euo pipefail
cd "$(dirname "$0")/.."
scan="$(mktemp -d)"
trap 'rm -rf "$scan"' EXIT
cp electron/*.ts renderer/index.html "$scan/"
electron_version="$(node -p "require('electron/package.json').version")"
# -e: the tool would otherwise try to look the version up online.
npx electronegativity -i "$scan" -e "$electron_version" -r -o "$scan/findings.csv" >/dev/null 2>&1 || true
[ -s "$scan/findings.csv" ] || { echo "electronegativity produced no report" >&2; exit 1; }
column -s, -t < "$scan/findings.csv" | cut -c1-160
if grep -E '^[A-Z_]+,"(HIGH|CRITICAL)"' "$scan/findings.csv"; then
  echo "electronegativity: high-severity findings above" >&2
  exit 1
fi
echo "electronegativity: no high or critical finding"
