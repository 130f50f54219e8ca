// Offline micro-benchmark behind docs/performance.md's AVX2 routing table: oneDNN 2.6's f32 matmul, plain, with a
// bias, or with a bias and the gelu_tanh post-op, against cblas_sgemm (product only), one thread, row-major. A cycles
// through 4 copies so that it is not all in L1, as the engine's chunks are not.
//   cc -O2 tools/bench/onednn-matmul.c -o /tmp/onednn-matmul -ldnnl -lopenblas
//   OMP_NUM_THREADS=1 /tmp/onednn-matmul 1024 64 64 2    # M K N MODE (0 plain, 1 bias, 2 bias + gelu_tanh)
#include <dnnl.h>
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define CHECK(x)                                                                                                   \
    do {                                                                                                           \
        dnnl_status_t s = (x);                                                                                     \
        if (s != dnnl_success) {                                                                                   \
            printf("oneDNN status %d at %s\n", s, #x);                                                             \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s M K N [0 plain | 1 bias | 2 bias + gelu_tanh]\n", argv[0]);
        return 2;
    }
    const int M = atoi(argv[1]), K = atoi(argv[2]), N = atoi(argv[3]), mode = argc > 4 ? atoi(argv[4]) : 0;
    const int biased = mode >= 1, gelu = mode == 2, copies = 4;
    const int reps = (int)(2e8 / (2.0 * M * N * K)) + 3;
    float *a = malloc(sizeof(float) * M * K * copies), *b = malloc(sizeof(float) * K * N);
    float *c = malloc(sizeof(float) * M * N * copies), *bias = malloc(sizeof(float) * N);
    for (long i = 0; i < (long)M * K * copies; i++) a[i] = (i % 13) * 0.1f;
    for (long i = 0; i < (long)K * N; i++) b[i] = (i % 7) * 0.01f;
    for (int i = 0; i < N; i++) bias[i] = 0.1f;

    dnnl_engine_t engine;
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    dnnl_stream_t stream;
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    dnnl_memory_desc_t ad, bd, cd, biasd;
    dnnl_dims_t as = {M, K}, bs = {K, N}, cs = {M, N}, bis = {1, N};
    CHECK(dnnl_memory_desc_init_by_tag(&ad, 2, as, dnnl_f32, dnnl_ab));
    CHECK(dnnl_memory_desc_init_by_tag(&bd, 2, bs, dnnl_f32, dnnl_ab));
    CHECK(dnnl_memory_desc_init_by_tag(&cd, 2, cs, dnnl_f32, dnnl_ab));
    CHECK(dnnl_memory_desc_init_by_tag(&biasd, 2, bis, dnnl_f32, dnnl_ab));
    dnnl_matmul_desc_t md;
    CHECK(dnnl_matmul_desc_init(&md, &ad, &bd, biased ? &biasd : NULL, &cd));
    dnnl_primitive_attr_t attributes;
    CHECK(dnnl_primitive_attr_create(&attributes));
    if (gelu) {
        dnnl_post_ops_t post;
        CHECK(dnnl_post_ops_create(&post));
        CHECK(dnnl_post_ops_append_eltwise(post, 1, dnnl_eltwise_gelu_tanh, 0, 0));
        CHECK(dnnl_primitive_attr_set_post_ops(attributes, post));
    }
    dnnl_primitive_desc_t pd;
    CHECK(dnnl_primitive_desc_create(&pd, &md, attributes, engine, NULL));
    const char *impl;
    CHECK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
    dnnl_primitive_t matmul;
    CHECK(dnnl_primitive_create(&matmul, pd));
    dnnl_memory_t ma, mb, mc, mbias;
    CHECK(dnnl_memory_create(&ma, &ad, engine, a));
    CHECK(dnnl_memory_create(&mb, &bd, engine, b));
    CHECK(dnnl_memory_create(&mc, &cd, engine, c));
    CHECK(dnnl_memory_create(&mbias, &biasd, engine, bias));

    double best_dnnl = 1e9, best_blas = 1e9;
    for (int trial = 0; trial < 5; trial++) {
        double t = now();
        for (int r = 0; r < reps; r++) {
            const long copy = r % copies;
            CHECK(dnnl_memory_set_data_handle(ma, a + copy * M * K));
            CHECK(dnnl_memory_set_data_handle(mc, c + copy * M * N));
            dnnl_exec_arg_t args[4] = {
                {DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}, {DNNL_ARG_BIAS, mbias}};
            CHECK(dnnl_primitive_execute(matmul, stream, biased ? 4 : 3, args));
        }
        CHECK(dnnl_stream_wait(stream));
        t = (now() - t) / reps;
        if (t < best_dnnl) best_dnnl = t;
        t = now();
        for (int r = 0; r < reps; r++) {
            const long copy = r % copies;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1, a + copy * M * K, K, b, N, 0,
                        c + copy * M * N, N);
        }
        t = (now() - t) / reps;
        if (t < best_blas) best_blas = t;
    }
    const double flop = 2.0 * M * N * K;
    printf("%5d x %4d x %4d %-16s oneDNN %-12s %6.1f GFLOP/s   OpenBLAS (product only) %6.1f GFLOP/s\n", M, K, N,
           mode == 2 ? "bias+gelu_tanh" : mode == 1 ? "bias" : "plain", impl, flop / best_dnnl / 1e9,
           flop / best_blas / 1e9);
    return 0;
}
