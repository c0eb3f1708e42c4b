#!/bin/sh
# Generates the benchmark's synthetic documents into $1 (default: /tmp/tollgate-analysis-bench).
# Needs: ghostscript, qpdf.
set -eu
out=${1:-/tmp/tollgate-analysis-bench}
mkdir -p "$out"
cd "$out"

cat > mono1.ps <<'PS'
%!PS
/Helvetica findfont 12 scalefont setfont
0 0 0 setrgbcolor
700 -14 100 { 72 exch moveto (Black text given in RGB, as word processors write it.) show } for
showpage
PS

cat > colour1.ps <<'PS'
%!PS
/Helvetica findfont 12 scalefont setfont
700 -14 100 { 72 exch moveto 0 setgray (Plain text with a) show 0 0 1 setrgbcolor ( blue link.) show } for
showpage
PS

# 100 pages: 80 black text, 10 coloured text, 5 RGB photos of greys, 5 RGB photos in colour.
cat > mixed100.ps <<'PS'
%!PS
/Helvetica findfont 12 scalefont setfont
/img { % r g b -> draws a 64x64 RGB image whose pixels vary around the given colour
  /b exch def /g exch def /r exch def
  gsave 100 400 translate 300 300 scale
  64 64 8 [64 0 0 -64 0 64]
  { 64 64 mul 3 mul string dup length 3 idiv 0 exch 1 exch 1 sub {
      /i exch def dup i 3 mul r i 4 mod add 255 and put
      dup i 3 mul 1 add g i 4 mod add 255 and put
      dup i 3 mul 2 add b i 4 mod add 255 and put } for }
  false 3 colorimage grestore } def
1 1 100 { /n exch def
  n 10 mod 3 eq { 0.8 0 0 setrgbcolor } { 0 0 0 setrgbcolor } ifelse
  700 -14 100 { 72 exch moveto (Some words on a page of a long report.) show } for
  n 20 mod 7 eq { 128 128 128 img } if
  n 20 mod 17 eq { 200 60 40 img } if
  showpage } for
PS

for f in mono1 colour1 mixed100; do
  gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -sPAPERSIZE=a4 -dFIXEDMEDIA -o "$f.pdf" "$f.ps"
done
qpdf --object-streams=generate mixed100.pdf mixed100-objstm.pdf
qpdf --linearize mixed100.pdf mixed100-linearized.pdf
qpdf --encrypt "" owner 256 -- mixed100.pdf mixed100-encrypted.pdf

# Big documents (in big/, kept between runs: they take a while to make and are not colour-checked).
mkdir -p big
# 20 MB of PostScript in 5 pages, each an 840x840 RGB photo in hex as drivers write images (odd
# pages colour, even pages grey): Ghostscript interprets it in a fraction of a second.
[ -s big/ps-images-20MB.ps ] || awk 'BEGIN {
  side = 840; print "%!PS-Adobe-3.0"; print "%%Pages: 5"; print "%%EndComments"
  for (p = 1; p <= 5; p++) {
    px = (p % 2) ? "c03020" : "808080"; row = ""
    for (i = 0; i < side; i++) row = row px
    printf "%%%%Page: %d %d\n<< /PageSize [595 842] >> setpagedevice\ngsave 50 200 translate 495 495 scale\n", p, p
    printf "%d %d 8 [%d 0 0 -%d 0 %d] currentfile /ASCIIHexDecode filter false 3 colorimage\n", side, side, side, side, side
    for (y = 0; y < side; y++) print row
    print ">"; print "grestore showpage"
  }
  print "%%EOF" }' > big/ps-images-20MB.ps
# 20 MB of PostScript text: 3300 pages of 60 lines, a long report (the slowest kind per byte).
[ -s big/ps-text-20MB.ps ] || awk 'BEGIN {
  print "%!PS-Adobe-3.0"; print "%%Pages: 3300"; print "%%EndComments"
  print "/F /Helvetica findfont 10 scalefont def"
  for (p = 1; p <= 3300; p++) {
    printf "%%%%Page: %d %d\nF setfont\n", p, p
    for (y = 760; y > 40; y -= 12) printf "72 %d moveto (Line of a long report on page %d, at %d points from the bottom, padded a little) show\n", y, p, y
    print "showpage"
  }
  print "%%EOF" }' > big/ps-text-20MB.ps
# The same report as a PDF.
[ -s big/pdf-text-3300pages.pdf ] || gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -o big/pdf-text-3300pages.pdf big/ps-text-20MB.ps
# A 200 MB A0 poster PDF: two pages, each one uncompressed 5800x5800 RGB image (a colour photo of
# noise, then a flat grey), as CAD and poster software export them.
poster=big/pdf-poster-200MB.pdf
if [ ! -s "$poster" ]; then
  side=5800; bytes=$((side * side * 3)); offsets=""
  obj() { offsets="$offsets $(wc -c < "$poster.tmp")"; }
  printf '%%PDF-1.4\n%%\342\343\n' > "$poster.tmp"
  obj; printf '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' >> "$poster.tmp"
  obj; printf '2 0 obj\n<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>\nendobj\n' >> "$poster.tmp"
  for page in 3 6; do
    obj; printf '%d 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2384 3370] /Resources << /XObject << /Im %d 0 R >> >> /Contents %d 0 R >>\nendobj\n' \
      $page $((page + 2)) $((page + 1)) >> "$poster.tmp"
    content='q 2384 0 0 3370 0 0 cm /Im Do Q'
    obj; printf '%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n' $((page + 1)) ${#content} "$content" >> "$poster.tmp"
    obj; printf '%d 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n' \
      $((page + 2)) $side $side $bytes >> "$poster.tmp"
    if [ $page = 3 ]; then head -c $bytes /dev/urandom; else head -c $bytes /dev/zero | tr '\000' '\200'; fi >> "$poster.tmp"
    printf '\nendstream\nendobj\n' >> "$poster.tmp"
  done
  xref=$(wc -c < "$poster.tmp")
  { printf 'xref\n0 9\n0000000000 65535 f \n'
    for o in $offsets; do printf '%010d 00000 n \n' "$o"; done
    printf 'trailer\n<< /Size 9 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' "$xref"; } >> "$poster.tmp"
  mv "$poster.tmp" "$poster"
fi
echo "$out"
