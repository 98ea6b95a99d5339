#!/usr/bin/env bash
# Re-vendor the admin panel's front-end assets from the npm registry into
# backend/admin/static/vendor/ (committed: the panel must work with no internet and no CDN).
#
#   bash scripts/vendor_assets.sh        # installs the versions pinned in package-lock.json
#
# To upgrade: edit backend/admin/assets/package.json, run `npm install` there, then this script.
set -euo pipefail
cd "$(dirname "$0")/../backend/admin/assets"

npm ci --no-audit --no-fund --ignore-scripts
vendor=../static/vendor
rm -rf "$vendor"
mkdir -p "$vendor/pico"
cp node_modules/@picocss/pico/css/pico.min.css "$vendor/pico/"
cp node_modules/@picocss/pico/LICENSE.md "$vendor/pico/"
node -p "require('@picocss/pico/package.json').version" > "$vendor/pico/VERSION"
mkdir -p "$vendor/chartjs"
cp node_modules/chart.js/dist/chart.umd.min.js "$vendor/chartjs/"
cp node_modules/chart.js/LICENSE.md "$vendor/chartjs/"
node -p "require('./node_modules/chart.js/package.json').version" > "$vendor/chartjs/VERSION"
rm -rf node_modules
echo "vendored into backend/admin/static/vendor:"
find "$vendor" -type f | sort
