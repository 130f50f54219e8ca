#ifndef CFFMPEG_SHIM_H
#define CFFMPEG_SHIM_H
// Every libav* header MediaIO uses, plus prefixed static-inline wrappers for the macros Swift cannot import.
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libavutil/opt.h>
#include <libavutil/parseutils.h>
#include <libavutil/display.h>
#include <libavutil/mastering_display_metadata.h>
#include <libswscale/swscale.h>

static inline int cffmpeg_AVERROR(int errnum) { return AVERROR(errnum); }
static inline int cffmpeg_AVERROR_EOF(void) { return AVERROR_EOF; }
static inline int cffmpeg_AVERROR_EAGAIN(void) { return AVERROR(EAGAIN); }
static inline int64_t cffmpeg_AV_NOPTS_VALUE(void) { return AV_NOPTS_VALUE; }
static inline AVRational cffmpeg_AV_TIME_BASE_Q(void) { return (AVRational){1, AV_TIME_BASE}; }

// Flag macros built from shifts, which Swift does not import reliably.
static inline int cffmpeg_AV_CODEC_FLAG_GLOBAL_HEADER(void) { return AV_CODEC_FLAG_GLOBAL_HEADER; }
static inline int cffmpeg_AV_CODEC_CAP_VARIABLE_FRAME_SIZE(void) { return AV_CODEC_CAP_VARIABLE_FRAME_SIZE; }
static inline int cffmpeg_AVFMT_NOFILE(void) { return AVFMT_NOFILE; }
static inline int cffmpeg_AVFMT_GLOBALHEADER(void) { return AVFMT_GLOBALHEADER; }
static inline int cffmpeg_AVFMT_TS_DISCONT(void) { return AVFMT_TS_DISCONT; }
static inline int cffmpeg_AVIO_FLAG_WRITE(void) { return AVIO_FLAG_WRITE; }
static inline uint64_t cffmpeg_AV_PIX_FMT_FLAG_RGB(void) { return AV_PIX_FMT_FLAG_RGB; }
static inline uint64_t cffmpeg_AV_PIX_FMT_FLAG_PAL(void) { return AV_PIX_FMT_FLAG_PAL; }
static inline uint64_t cffmpeg_AV_PIX_FMT_FLAG_ALPHA(void) { return AV_PIX_FMT_FLAG_ALPHA; }
static inline int cffmpeg_AV_PKT_FLAG_DISCARD(void) { return AV_PKT_FLAG_DISCARD; }
static inline int cffmpeg_AV_CODEC_FLAG_QSCALE(void) { return AV_CODEC_FLAG_QSCALE; }
static inline int cffmpeg_FF_QP2LAMBDA(void) { return FF_QP2LAMBDA; }

/// Bits per component of a pixel format (the first component's depth), 0 when unknown.
static inline int cffmpeg_pix_fmt_depth(enum AVPixelFormat fmt) {
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    return d ? d->comp[0].depth : 0;
}

/// The descriptor flags of a pixel format, 0 when unknown.
static inline uint64_t cffmpeg_pix_fmt_flags(enum AVPixelFormat fmt) {
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    return d ? d->flags : 0;
}

/// Number of components (gray = 1, RGB/YUV = 3, with alpha + 1), 0 when unknown.
static inline int cffmpeg_pix_fmt_components(enum AVPixelFormat fmt) {
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    return d ? d->nb_components : 0;
}

/// Horizontal and vertical chroma subsampling shifts packed as (h << 8) | v.
static inline int cffmpeg_pix_fmt_chroma_shifts(enum AVPixelFormat fmt) {
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    return d ? ((d->log2_chroma_w << 8) | d->log2_chroma_h) : 0;
}

#endif
