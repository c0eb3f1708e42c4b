// libcups2 (Debian: libcups2-dev). Debian ships no cups.pc, so the module map links "cups".
#include <cups/cups.h>
#include <cups/ipp.h>
#include <cups/http.h>
#include <cups/backend.h>
