#!/usr/bin/env bash
# Copy the front-end libraries installed by npm (package-lock.json) into static/vendor/.
#
# Production's collectstatic (ManifestStaticFilesStorage) rewrites every url(...) and
# sourceMappingURL a vendored file names and fails when the target is missing. We ship the
# minified files without their source maps (which point at sources we do not ship either), so
# the source-map comments are stripped, and every other reference is checked to be copied.
set -euo pipefail
cd "$(dirname "$0")/.."
out=static/vendor
rm -rf "$out.tmp" && mkdir -p "$out.tmp"/{bootstrap,bootstrap-icons/fonts,htmx,fullcalendar/locales,chartjs,flatpickr/l10n}
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.rtl.min.css \
   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$out.tmp/bootstrap/"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$out.tmp/bootstrap-icons/"
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 "$out.tmp/bootstrap-icons/fonts/"
cp node_modules/htmx.org/dist/htmx.min.js "$out.tmp/htmx/"
cp node_modules/fullcalendar/index.global.min.js "$out.tmp/fullcalendar/"
# The calendar in the staff member's language (settings.LANGUAGES; English is built in).
for language in tr ar es de; do
  cp "node_modules/@fullcalendar/core/locales/$language.global.min.js" "$out.tmp/fullcalendar/locales/"
done
cp node_modules/chart.js/dist/chart.umd.min.js "$out.tmp/chartjs/"
cp node_modules/flatpickr/dist/flatpickr.min.js node_modules/flatpickr/dist/flatpickr.min.css "$out.tmp/flatpickr/"
# The date pickers in the page's language, as the calendar's (English is built in).
for language in tr ar es de; do
  cp "node_modules/flatpickr/dist/l10n/$language.js" "$out.tmp/flatpickr/l10n/"
done

# Source-map comments: `//# sourceMappingURL=...` (JS) and `/*# sourceMappingURL=... */` (CSS).
find "$out.tmp" -type f \( -name '*.js' -o -name '*.css' \) -print0 \
  | xargs -0 sed -i -E -e 's@^//# sourceMappingURL=.*$@@' -e 's@/\*# sourceMappingURL=[^*]*\*/@@g'

# Every file a vendored stylesheet names with url(...) must be there (data: URIs aside).
missing=0
while IFS= read -r css; do
  dir=$(dirname "$css")
  while IFS= read -r ref; do
    target=${ref%%[?#]*}
    [ -z "$target" ] && continue
    if [ ! -f "$dir/$target" ]; then echo "vendor_assets: $css names $ref, which is not copied" >&2; missing=1; fi
  done < <(grep -oE 'url\(\s*["'\'']?[^)"'\'']+' "$css" | sed -E 's/^url\(\s*["'\'']?//' | grep -vE '^(data:|#|https?:|//)' || true)
done < <(find "$out.tmp" -name '*.css')
if grep -rlE 'sourceMappingURL=' "$out.tmp"; then echo "vendor_assets: a source-map comment is left" >&2; missing=1; fi
[ "$missing" = 0 ] || { rm -rf "$out.tmp"; exit 1; }
rm -rf "$out" && mv "$out.tmp" "$out"
