#!/usr/bin/env bash
# Copy the front-end libraries installed by npm (package-lock.json) into static/vendor/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=static/vendor
rm -rf "$out.tmp" && mkdir -p "$out.tmp"/{bootstrap,bootstrap-icons/fonts,htmx,fullcalendar}
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.rtl.min.css \
   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$out.tmp/bootstrap/"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$out.tmp/bootstrap-icons/"
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 "$out.tmp/bootstrap-icons/fonts/"
cp node_modules/htmx.org/dist/htmx.min.js "$out.tmp/htmx/"
cp node_modules/fullcalendar/index.global.min.js "$out.tmp/fullcalendar/"
rm -rf "$out" && mv "$out.tmp" "$out"
