#define _GNU_SOURCE
#include "tollgate_backend_support.h"

#include <fcntl.h>
#include <stddef.h>

long tollgate_splice_to_file(int from, int to, unsigned long length) {
    return (long)splice(from, NULL, to, NULL, length, SPLICE_F_MOVE);
}
