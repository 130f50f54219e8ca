#ifndef CFFMPEG_SHIM_H
#define CFFMPEG_SHIM_H
// Every libav* header MediaIO uses, plus prefixed static-inline wrappers for the macros Swift cannot import.
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libavutil/opt.h>
#include <libavutil/display.h>
#include <libavutil/mastering_display_metadata.h>
#include <libswscale/swscale.h>

static inline int cffmpeg_AVERROR(int errnum) { return AVERROR(errnum); }
static inline int cffmpeg_AVERROR_EOF(void) { return AVERROR_EOF; }
static inline int cffmpeg_AVERROR_EAGAIN(void) { return AVERROR(EAGAIN); }
static inline int64_t cffmpeg_AV_NOPTS_VALUE(void) { return AV_NOPTS_VALUE; }
static inline AVRational cffmpeg_AV_TIME_BASE_Q(void) { return (AVRational){1, AV_TIME_BASE}; }

#endif
