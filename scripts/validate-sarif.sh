#!/usr/bin/env bash
# Validate SARIF files with Microsoft's SARIF multitool and GitHub's rules, as code scanning
# would take them. Needs npm (the registry) once:
#
#   npm install --prefix /some/dir @microsoft/sarif-multitool-linux
#   MULTITOOL_DIR=/some/dir scripts/validate-sarif.sh review.sarif diff.sarif
#
# Prints each file's validation results; none means valid. Exits 1 when any file has one.
set -euo pipefail
tool=$(find "${MULTITOOL_DIR:?set MULTITOOL_DIR to the npm prefix}/node_modules/@microsoft/sarif-multitool-linux" -name Sarif.Multitool -type f | head -1)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for f in "$@"; do
  rm -f "$out/v.sarif"
  "$tool" validate --rule-kind "Gh;Sarif" -o "$out/v.sarif" "$f" > /dev/null
  python3 - "$out/v.sarif" "$f" <<'PY' || status=1
import json, sys
results = json.load(open(sys.argv[1]))["runs"][0].get("results", [])
print(f"{sys.argv[2]}: {len(results)} validation results")
for r in results:
    print("  ", r["ruleId"], r["message"].get("text") or r["message"].get("arguments"))
sys.exit(1 if results else 0)
PY
done
exit $status
