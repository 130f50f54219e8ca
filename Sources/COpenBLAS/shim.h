#ifndef COPENBLAS_SHIM_H
#define COPENBLAS_SHIM_H
// Debian's openblas.pc puts the variant's include directory (openblas-pthread/) on the path.
#include <cblas.h>
#endif
