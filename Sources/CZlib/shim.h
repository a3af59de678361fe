/* zlib (Debian's zlib1g-dev) as one Clang module: gzip for HTTP responses. */
#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H

#include <zlib.h>

#endif
