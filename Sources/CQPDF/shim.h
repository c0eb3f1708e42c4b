// libqpdf's C API (Debian: libqpdf-dev).
#include <qpdf/qpdf-c.h>
