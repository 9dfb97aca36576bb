#!/usr/bin/env bash
# Takes the README's screenshots with headless Chromium (Debian's chromium
# package): at a phone's width the question page and the result page of a
# respondent who walks the survey on a fresh demo database; then, signed in
# as the demo admin, the dashboard's overview, heatmap, a comparison and a
# team page at 1280 and 390 px; and the personal-code slips printed to PDF.
# Usage: scripts/screenshots.sh [OUTDIR]   (default docs/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs}
mkdir -p "$out"
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
port=18765
base=http://127.0.0.1:$port
go build -o "$work/icare" .
"$work/icare" serve --demo --database-url "sqlite:$work/demo.db" --addr 127.0.0.1:$port >"$work/out.txt" 2>"$work/log.txt" &
pid=$!
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

token=$("$work/icare" team list --database-url "sqlite:$work/demo.db" | awk -F'\t' '/^Sales/ {print $2}' | sed 's|.*/t/||')
jar=$work/jar
csrf() { grep -o 'name="_csrf" value="[^"]*"' "$1" | head -1 | sed 's/.*value="//; s/"$//'; }
curl -fs -c "$jar" -b "$jar" "$base/t/$token" -o "$work/p.html"
curl -fs -c "$jar" -b "$jar" -o /dev/null --data-urlencode "_csrf=$(csrf "$work/p.html")" -d action=start "$base/t/$token"
curl -fs -c "$jar" -b "$jar" "$base/s/perspective" -o "$work/p.html"
curl -fs -c "$jar" -b "$jar" -o /dev/null --data-urlencode "_csrf=$(csrf "$work/p.html")" -d perspective=frontline -d action=next "$base/s/perspective"
answers=(4 5 4 2 4  3 4 2 4 3  4 4 3 2 5  5 4 4 2 4  3 3 2 4 3)
i=0
for key in I C A R E; do
  curl -fs -c "$jar" -b "$jar" "$base/s/$key" -o "$work/p.html"
  args=(--data-urlencode "_csrf=$(csrf "$work/p.html")" -d action=next)
  for n in 1 2 3 4 5; do args+=(-d "$key$n=${answers[$i]}"); i=$((i+1)); done
  curl -fs -c "$jar" -b "$jar" -o /dev/null "${args[@]}" "$base/s/$key"
done
# The question page: "Key 2 of 5" of a second respondent, with the first
# two statements answered.
resume=$(grep -o '/resume/[A-Za-z0-9_-]*' "$work/p.html" | head -1)
curl -fs -c "$jar" -b "$jar" "$base/s/comment" -o "$work/p.html"
result=$(curl -fs -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' --data-urlencode "_csrf=$(csrf "$work/p.html")" -d action=submit -d "comment=One owner per case." "$base/s/comment")

jar2=$work/jar2
curl -fs -c "$jar2" -b "$jar2" "$base/t/$token" -o "$work/p.html"
curl -fs -c "$jar2" -b "$jar2" -o /dev/null --data-urlencode "_csrf=$(csrf "$work/p.html")" -d action=start "$base/t/$token"
curl -fs -c "$jar2" -b "$jar2" "$base/s/perspective" -o "$work/p.html"
curl -fs -c "$jar2" -b "$jar2" -o /dev/null --data-urlencode "_csrf=$(csrf "$work/p.html")" -d perspective=manager -d action=next "$base/s/perspective"
curl -fs -c "$jar2" -b "$jar2" "$base/s/I" -o "$work/p.html"
curl -fs -c "$jar2" -b "$jar2" -o /dev/null --data-urlencode "_csrf=$(csrf "$work/p.html")" -d action=next -d I1=4 -d I2=5 -d I3=4 -d I4=2 -d I5=4 "$base/s/I"
curl -fs -c "$jar2" -b "$jar2" "$base/s/C" -o "$work/p.html"
curl -fs -c "$jar2" -b "$jar2" -o /dev/null --data-urlencode "_csrf=$(csrf "$work/p.html")" -d action=back -d C1=4 -d C2=3 -d C3= -d C4= -d C5= "$base/s/C"
resume2=$(grep -o '/resume/[A-Za-z0-9_-]*' "$work/p.html" | head -1)

shot() { # URL FILE HEIGHT [WIDTH]
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$work/profile-$RANDOM" \
    --window-size="${4:-390}","$3" --screenshot="$2" "$1" >/dev/null 2>&1
}
# The resume link puts the response on the browser and lands on its page.
shot "$base$resume2" "$out/question-390.png" 1700
shot "$result" "$out/result-390.png" 2300
echo "wrote $out/question-390.png and $out/result-390.png"

# The dashboard, signed in. Chromium is given each page as fetched with the
# session cookie, with a <base> so its stylesheet still comes from icare.
password=$(grep -o 'demo-[A-Za-z0-9_-]*' "$work/out.txt" | head -1)
jar3=$work/jar3
curl -fs -c "$jar3" -b "$jar3" "$base/login" -o "$work/p.html"
curl -fs -c "$jar3" -b "$jar3" -o /dev/null --data-urlencode "_csrf=$(csrf "$work/p.html")" \
  --data-urlencode "email=demo@icare.example" --data-urlencode "password=$password" "$base/login"
page() { # PATH NAME [HEIGHT at 1280]
  curl -fs -b "$jar3" "$base$1" | sed "s#<head>#<head><base href=\"$base/\">#" >"$work/$2.html"
  for w in 1280 390; do
    h=$([ "$w" = 1280 ] && echo "${3:-1500}" || echo 2600)
    shot "file://$work/$2.html" "$out/$2-$w.png" "$h" "$w"
  done
}
contact=$(curl -fs -b "$jar3" "$base/dashboard/heatmap" | grep -o '/teams/[0-9]*?round=[0-9]*">Contact Centre' | head -1 | sed 's|/teams/||; s|?.*||')
sales=$(curl -fs -b "$jar3" "$base/dashboard/heatmap" | grep -o '/teams/[0-9]*?round=[0-9]*">Sales' | head -1 | sed 's|/teams/||; s|?.*||')
page "/dashboard" dashboard
page "/dashboard/heatmap" heatmap
page "/dashboard/compare?g=org&g=team:$contact&g=team:$sales" compare
page "/teams/$contact" team
page "/teams/$contact/plan" plan-form
page "/teams/$contact?round=$(curl -fs -b "$jar3" "$base/api/v1/rounds" | grep -o '"id":[0-9]*,"name":"2026 Q2"' | grep -o '[0-9]*' | head -1)" plan 2100
page "/dashboard/trend?g=team:$contact" trend
echo "wrote the dashboard's screenshots to $out"

# The personal-code slips of the team on codes, printed to PDF by Chromium
# on A4 and on Letter, and the first page of each turned into a PNG
# (pdftoppm, Debian's poppler-utils).
billing=$(curl -fs -b "$jar3" "$base/admin/teams" | grep -o '/admin/teams/[0-9]*">Billing Support' | head -1 | sed 's|/admin/teams/||; s|".*||')
# Five more codes (beyond the headcount, as an admin may ask) fill the page.
curl -fs -c "$jar3" -b "$jar3" "$base/admin/teams/$billing" -o "$work/p.html"
curl -fs -c "$jar3" -b "$jar3" -o /dev/null --data-urlencode "_csrf=$(csrf "$work/p.html")" -d count=5 -d beyond=1 "$base/admin/teams/$billing/codes"
curl -fs -b "$jar3" "$base/admin/teams/$billing/codes/slips" | sed "s#<head>#<head><base href=\"$base/\">#" >"$work/slips.html"
for paper in A4 Letter; do
  sed "s#</head>#<style>@page { size: $paper; }</style></head>#" "$work/slips.html" >"$work/slips-$paper.html"
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/profile-$RANDOM" \
    --no-pdf-header-footer --print-to-pdf="$work/slips-$paper.pdf" "file://$work/slips-$paper.html" >/dev/null 2>&1
  lower=$(echo "$paper" | tr '[:upper:]' '[:lower:]')
  pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$work/slips-$paper.pdf" "$out/slips-$lower"
  echo "slips on $paper: $(pdfinfo "$work/slips-$paper.pdf" | awk '/^Pages:/ {print $2}') page(s), $(pdftotext "$work/slips-$paper.pdf" - | grep -c -E '^[2-9A-HJ-NP-Z]{4}-') codes"
done
echo "wrote $out/slips-a4.png and $out/slips-letter.png"
