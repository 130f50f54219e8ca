#ifndef CDNNL_SHIM_H
#define CDNNL_SHIM_H
// oneDNN 2.6 (Debian's libdnnl-dev ships no .pc file; the header is on the default include path).
#include <oneapi/dnnl/dnnl.h>

// Argument indices are macros built from other macros, which Swift does not import.
static const int cdnnl_arg_src = DNNL_ARG_SRC;
static const int cdnnl_arg_weights = DNNL_ARG_WEIGHTS;
static const int cdnnl_arg_dst = DNNL_ARG_DST;
static const int cdnnl_arg_bias = DNNL_ARG_BIAS;
static const int cdnnl_arg_scratchpad = DNNL_ARG_SCRATCHPAD;
static const int cdnnl_arg_from = DNNL_ARG_FROM;
static const int cdnnl_arg_to = DNNL_ARG_TO;
#endif
