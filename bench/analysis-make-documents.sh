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
echo "$out"
