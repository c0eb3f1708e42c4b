// libqpdf's C API (Debian: libqpdf-dev) and zlib (zlib1g-dev, already a dependency of libqpdf),
// which JobAnalysis uses to inflate content streams under a size cap (Flate bombs).
#include <qpdf/qpdf-c.h>
#include <zlib.h>
