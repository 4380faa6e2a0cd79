#!/usr/bin/env bash
# Vendor the page's JavaScript libraries from the npm registry into the package's static files.
# The page loads only these files from its own server: nothing comes from a CDN at run time.
# To update one: change its version below, run this script, look at the page, run the browser
# tests (pytest -m slow tests/web), and commit the changed files with docs/web.md.
set -euo pipefail

# name@version  file in the package  -> name in static/vendor/
LIBS=(
  "vis-timeline@8.5.4 peer/umd/vis-timeline-graph2d.min.js vis-timeline-graph2d.min.js"
  "vis-timeline@8.5.4 styles/vis-timeline-graph2d.min.css vis-timeline-graph2d.min.css"
  "vis-timeline@8.5.4 LICENSE.md LICENSE.vis-timeline.md"
  "vis-timeline@8.5.4 LICENSE.MIT.txt LICENSE.vis-timeline.MIT.txt"
  "vis-data@8.0.3 peer/umd/vis-data.min.js vis-data.min.js"
  "vis-data@8.0.3 LICENSE-MIT LICENSE.vis-data.MIT.txt"
  "moment@2.30.1 min/moment.min.js moment.min.js"
  "moment@2.30.1 LICENSE LICENSE.moment.txt"
  "cytoscape@3.35.0 dist/cytoscape.min.js cytoscape.min.js"
  "cytoscape@3.35.0 LICENSE LICENSE.cytoscape.txt"
  "echarts@6.1.0 dist/echarts.common.min.js echarts.common.min.js"
  "echarts@6.1.0 LICENSE LICENSE.echarts.txt"
  "echarts@6.1.0 NOTICE NOTICE.echarts.txt"
)

here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/tieline/web/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dest"

for row in "${LIBS[@]}"; do
  read -r spec file name <<<"$row"
  dir="$tmp/${spec//[@\/]/_}"
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    tgz="$(cd "$dir" && npm pack --silent "$spec")"
    tar xzf "$dir/$tgz" -C "$dir"
  fi
  cp "$dir/package/$file" "$dest/$name"
  # Source maps are not shipped: drop the comment so that no browser asks the server for one.
  case "$name" in
    *.js | *.css) sed -i -E 's@/[/*]# sourceMappingURL=[^ *]*( ?\*/)?@@' "$dest/$name" ;;
  esac
done

# The versions the page ships, read by the web app and the docs test.
{
  echo "# name version (written by scripts/vendor-js.sh)"
  for row in "${LIBS[@]}"; do read -r spec _ <<<"$row"; echo "${spec/@/ }"; done | sort -u
} >"$dest/VERSIONS.txt"
ls -l "$dest"
